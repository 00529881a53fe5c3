// Step 4, the person matte, as the pipeline sees it: the grid half, the full-resolution half, the
// guides they are computed against, and the subject prior (which the survey uses on its own).
export { computeMatte, matteGrid, type Matte, type MatteGrid } from "./matte";
export { gridSize, type GuidePlanes } from "./grid";
export { canvasGuide, previewGuide } from "./guide";
export { applySubjectPrior, type PersonPrior, type SubjectPrior } from "./prior";
