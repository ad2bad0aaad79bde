// Events, commands and DTOs of the partnerships context: filled in by its issue.
export {};
