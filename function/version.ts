/** The release version; scripts/build.mjs defines __VERSION__ from package.json. */
declare const __VERSION__: string | undefined;

export const VERSION: string = typeof __VERSION__ === "string" ? __VERSION__ : "0.0.0-dev";
