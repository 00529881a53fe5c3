export * from "./errors";
export * from "./styles";
