export * from "./contract";
export * from "./errors";
export * from "./styles";
export * from "./privacy";
