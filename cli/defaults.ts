/** Defaults shared by the command declarations (cli/registry.ts) and the commands' code. */
export const DEFAULT_STACK_NAME = 'TelegramPipeline';
export const DEFAULT_MAX_CONNECTIONS = 40;
