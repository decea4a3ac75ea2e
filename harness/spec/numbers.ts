// Whole numbers in a range, with messages a user reads ("must be at least 1"), for every spec part.
import { z } from "zod";

export const int = (min: number, max: number) =>
  z
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
