// Type declaration for @echogarden/fvad-wasm 0.2.0 (ships none): an Emscripten
// factory exposing libfvad's C API on a WASM heap.
declare module '@echogarden/fvad-wasm' {
  export interface FvadModule {
    _fvad_new(): number;
    _fvad_free(handle: number): void;
    _fvad_reset(handle: number): void;
    /** 0..3; returns 0 on success, -1 on an invalid mode. */
    _fvad_set_mode(handle: number, mode: number): number;
    /** 8000, 16000, 32000 or 48000; returns 0 on success, -1 otherwise. */
    _fvad_set_sample_rate(handle: number, rate: number): number;
    /** `frame` points to int16 samples (10, 20 or 30 ms); 1 speech, 0 not, -1 error. */
    _fvad_process(handle: number, frame: number, length: number): number;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
    HEAP16: Int16Array;
  }
  const createFvad: (moduleArg?: object) => Promise<FvadModule>;
  export default createFvad;
}
