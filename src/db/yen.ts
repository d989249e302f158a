/** A yen amount in a BIGINT column: MySQL drivers may hand it back as a string; yen amounts fit a JS number exactly. */
export const yen = {
  to: (v: number | null) => v,
  from: (v: string | number | null) => (v === null ? null : Number(v)),
};
