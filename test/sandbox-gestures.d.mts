// Types for sandbox-gestures.mjs (plain JavaScript, shared by the sandbox examples and the browser tests).
export declare const HINT: Record<"victory" | "pointing_up" | "four" | "rock" | "fist" | "three", string>;
export declare const gestureOf: (text?: string) => string | undefined;
/** The file name (in test/fixtures/images) of his selfie for the challenge in `text`. */
export declare const selfieFor: (text: string) => string;
