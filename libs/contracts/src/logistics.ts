// Events, commands and DTOs of the logistics context: filled in by its issue.
export {};
