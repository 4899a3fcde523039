// Type declaration for @echogarden/espeak-ng-emscripten 0.3.5 (ships none):
// only the members this package uses.
declare module '@echogarden/espeak-ng-emscripten' {
  export interface ESpeakEvent {
    type: string;
    text_position: number;
    word_length: number;
    audio_position: number;
    id: unknown;
  }
  export interface ESpeakNGWorker {
    /** 0 on success; 2 when the voice is unknown (then the previous/default voice stays). */
    set_voice(name: string): number;
    set_rate(wordsPerMinute: number): number;
    set_pitch(pitch: number): number;
    set_range(range: number): number;
    get_samplerate(): number;
    synthesize(text: string, callback: (samples: Int16Array | null, events: ESpeakEvent[]) => boolean | number): void;
  }
  export interface ESpeakModule {
    eSpeakNGWorker: new () => ESpeakNGWorker;
    destroy(obj: object): void;
  }
  const createESpeak: (moduleArg?: {
    getPreloadedPackage?: (name: string, size: number) => ArrayBuffer;
  }) => Promise<ESpeakModule>;
  export default createESpeak;
}
