// An error's message for a progress line, a history op's reason or a cleanup problem, whatever was
// thrown (a non-Error value, or nothing at all, gives its string).
export const messageOf = (err: unknown): string => (err as Error)?.message ?? String(err);
