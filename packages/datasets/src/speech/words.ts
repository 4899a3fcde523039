/**
 * A fixed English word list for the synthetic corpus's sentences (common
 * words, every letter-to-sound pattern espeak handles well). Order matters:
 * sentences are drawn by index from a seeded generator.
 */
export const SYNTHETIC_WORDS: readonly string[] = Object.freeze(
  (
    'the a small large old young quiet bright dark happy careful sudden green yellow silver golden warm cold ' +
    'river mountain garden window kitchen station morning evening winter summer city village forest valley ' +
    'teacher doctor farmer sailor painter driver student captain neighbour brother sister mother father ' +
    'walked carried opened painted watched followed answered counted gathered finished remembered ordered ' +
    'quickly slowly nearly almost always never often gently loudly softly early later together again ' +
    'under over across behind beside between through around toward against without before after during ' +
    'horse rabbit eagle salmon kitten donkey pigeon turtle lizard beetle tiger camel penguin dolphin ' +
    'letter basket pocket ribbon hammer ladder candle blanket mirror bottle jacket pillow wagon engine ' +
    'seven twelve twenty thirty hundred thousand first second third last every several many few ' +
    'because although while until unless whenever whether therefore however perhaps certainly probably ' +
    'bread butter cheese apple orange lemon tomato potato coffee honey pepper sugar onion carrot ' +
    'thunder lightning weather shadow silence music picture story question journey promise reason ' +
    'built bought brought caught taught thought found heard held kept left lost made met paid sold ' +
    'could should would might must shall will can may was were is are has had have'
  ).split(' '),
);
