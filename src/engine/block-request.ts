/** One block of one piece, as requested from a peer (BEP 3 `request`). */
export interface BlockRequest { index: number; offset: number; length: number }
