export * from "./contract";
export * from "./errors";
export * from "./ids";
export * from "./styles";
export * from "./privacy";
export * from "./text";
