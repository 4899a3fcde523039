export declare const SOURCE: string;
export declare function compileRecurrent(shared: boolean): Promise<Uint8Array>;
