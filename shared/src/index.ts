export * from "./styles";
