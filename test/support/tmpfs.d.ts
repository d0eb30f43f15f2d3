export interface Tmpfs {
    readonly dir: string;
    /** Bytes a non-root writer could still write (statfs bavail × bsize). */
    free(): Promise<number>;
    /** Fills the filesystem with a file until only `leaveBytes` are free; returns its path. */
    fill(leaveBytes: number, name?: string): Promise<string>;
    unmount(): Promise<void>;
}
export declare function mountTmpfs(sizeBytes: number): Promise<Tmpfs>;
//# sourceMappingURL=tmpfs.d.ts.map