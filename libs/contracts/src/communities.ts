// Events, commands and DTOs of the communities context: filled in by its issue.
export {};
