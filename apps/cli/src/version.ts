/** The version of @flk/cli (apps/cli/package.json; a unit test keeps the two equal). */
export const VERSION = '0.1.0';
