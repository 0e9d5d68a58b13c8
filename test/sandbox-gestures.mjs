// What the sandbox examples need to answer a gesture challenge: which gesture its (English) text asks
// for, and a photo of the HandsDataset man (test/fixtures/images/labels.json) showing it that passes
// against the ID portrait the examples use (handsdataset_5_pic00050.jpg). He never shows "rock": a V
// sign goes instead, which fails, and the retake asks for another gesture.
export const HINT = { victory: "V sign", pointing_up: "index finger", four: "four fingers", rock: '"rock"', fist: "fist", three: "three fingers" };

export const gestureOf = (text = "") => Object.keys(HINT).find((g) => text.includes(HINT[g]));

const SELFIE = {
  victory: "handsdataset_5_pic00081.jpg",
  pointing_up: "handsdataset_5_pic00068.jpg",
  four: "handsdataset_5_pic00097.jpg",
  fist: "handsdataset_996_pic00101.jpg",
  three: "handsdataset_5_pic00087.jpg",
};

/** The file name of his selfie for the challenge in `text`. */
export const selfieFor = (text) => SELFIE[gestureOf(text)] ?? SELFIE.victory;
