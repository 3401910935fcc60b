// limits.h: every size limit of nnplay in one place. The engine refuses what
// lies outside them, the session loader names them in its messages, and the
// UI's sliders stay inside them (where a slider wants a narrower range for
// comfort, the narrower range is named here too, prefixed kUi).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace nn {

// ---- Data ------------------------------------------------------------------
constexpr int kMaxClasses = 10;            // labels 0..9 (image sets have ten classes)
constexpr int kMaxPoints = 100000;         // points of a 2D data set
constexpr double kMaxCoordinate = 1e6;     // |x|, |y| of a loaded point
constexpr int kMaxImagesPerSet = 200000;  // images in one half (train or test) of an image set
// The canvas shows [-kPlaneExtent, kPlaneExtent]^2; generators keep their
// points inside [-kGenExtent, kGenExtent]^2, so that they draw whole.
constexpr double kPlaneExtent = 1.25;
constexpr double kGenExtent = 1.15;
// The input scale s of PreprocessSpec (the model sees s times the features).
constexpr double kMinInputScale = 1e-3;
constexpr double kMaxInputScale = 1e3;

// ---- Networks ----------------------------------------------------------------
constexpr int kMaxHiddenLayers = 16;
constexpr int kMaxLayerWidth = 512;
constexpr int kMaxMaxoutPieces = 8;
constexpr int kMaxBatchSize = kMaxPoints;  // 0 means the full batch

// ---- Image networks (ConvNets) -----------------------------------------------------
constexpr int kMaxImageSide = 256;     // input width and height, pixels
constexpr int kMaxImageDepth = 3;      // input depth: 1 (grey) or 3 (RGB)
constexpr int kMaxFilters = 256;       // K of a conv layer
constexpr int kMaxFilterSize = 11;     // F of a conv filter or pool window (AlexNet's first layer is 11)
constexpr int kMaxStride = 8;          // S of a conv or pool layer
constexpr int kMaxPad = 8;             // P of a conv layer, pixels on every side
// Values in one conv or pool layer's output volume, per image (64x64x64):
// the reference engine keeps several (N x volume) matrices per layer.
constexpr int kMaxLayerVolume = 1 << 18;
// Weights of one layer (W's rows x columns): bounds the fully connected layer
// that reads a flattened volume (8M doubles = 64 MB).
constexpr int64_t kMaxLayerWeights = int64_t(1) << 23;

// ---- Gradient check ------------------------------------------------------------
constexpr double kMinGradCheckStep = 1e-12;  // the step h of the centred difference
constexpr double kMaxGradCheckStep = 1.0;

// ---- Comparisons -------------------------------------------------------------------
// Runs compared side by side (A..D): each trains on its own thread in the
// threaded build and has its own decision regions on the canvas.
constexpr int kMaxRuns = 4;
constexpr size_t kMaxRunNameChars = 60;

// ---- Sessions and links ---------------------------------------------------------
constexpr size_t kMaxSessionBytes = 16u << 20;  // a session file or decoded link
constexpr int kMaxJsonDepth = 64;               // nesting of a session's JSON
constexpr size_t kMaxLinkChars = 1u << 20;      // the #s=... fragment of a page address
// The longest link the app hands out (Share window, "copy link"): links are
// deflated JSON in base64url, and a 1,000-point session with a trained
// 2-16-16-3 network takes about 34,000 characters (44,000 with Adam's state). Browsers accept far longer
// addresses (Chromium 2 MB), but course sites and chat tools may cut or
// refuse long ones; above this the app offers the session as a file.
constexpr size_t kShareLinkChars = 64000;
// The largest autosave the web build writes to (and reads from) the browser's
// storage: localStorage holds about 5 M characters per site.
constexpr size_t kAutosaveChars = 2'000'000;

// ---- The web build ------------------------------------------------------------------
// WebAssembly memory may grow to this many MB and no further (CMakeLists.txt
// reads the number from this line for -sMAXIMUM_MEMORY). An allocation past it
// throws std::bad_alloc, which the app turns into a message.
constexpr int kMaxWasmMemoryMB = 1024;
// One training step may hold at most this much working memory (activations,
// their gradients and the layers' caches for one batch, as estimated by
// nn::training_step_bytes); a larger step is refused with a message before it
// allocates, leaving room for the data, the model and the page.
constexpr int kMaxStepMemoryMB = kMaxWasmMemoryMB / 2;
// The inspector's activation statistics use at most this many training rows,
// and fewer for an expensive model: at most kInspectMultiplyAdds through its
// weights per inspection (16 layers of 512 units cost 4 M a row, so 4,096
// rows would hold the training thread, or the frame of the single-threaded
// build, for tens of seconds in WebAssembly), but never under kMinInspectRows.
// The unit maps (each hidden unit over a grid) keep to the same budget.
constexpr int kMaxInspectRows = 4096;
constexpr int kMinInspectRows = 64;
constexpr double kInspectMultiplyAdds = 1e8;

// ---- What the UI offers (narrower than the engine accepts) --------------------
constexpr int kUiClasses = 6;              // class buttons and keys 1..6 on the 2D canvas
constexpr int kUiMaxGenPoints = 3000;      // the generator's "points" slider
constexpr int kUiMaxGenPointsTyped = 5000; // typed into the slider (Ctrl+click)
constexpr int kUiMaxSprayPoints = 20000;   // the spray brush stops adding here
constexpr int kUiMaxHiddenLayers = 8;
constexpr int kUiMaxLayerWidth = 128;
constexpr int kUiMaxMaxoutPieces = 5;
constexpr int kUiMaxBatch = 512;
constexpr int kUiMaxStepsPerFrame = 200;
constexpr int kUiMaxUndo = 500;            // undo steps kept
constexpr int kUiMaxImageTrain = 10000;    // image mode: training images used (the web subset's size)
constexpr int kUiMaxImageTest = 2000;      // image mode: test images evaluated
constexpr int kUiMaxImageK = 50;           // image mode: kNN's k (neighbours are found once for this many)
constexpr int kUiMaxAddedImages = 500;     // image mode: sketches added to the training images, per set
constexpr double kUiMinInputScale = 0.01;  // the "input scale" slider (typed values may go to the engine's limits)
constexpr double kUiMaxInputScale = 100;

// A sentence naming a limit that `got` exceeds, e.g.
// limit_message("hidden layers", kMaxHiddenLayers, 20) ->
// "at most 16 hidden layers (got 20)".
inline std::string limit_message(const std::string& what, long long max, long long got) {
  return "at most " + std::to_string(max) + " " + what + " (got " + std::to_string(got) + ")";
}

}  // namespace nn
