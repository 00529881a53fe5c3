;; SIMD kernels of the studio engine (128-bit, four f32 lanes). Built into kernels.wasm by
;; `npm run build:wasm` (server/); a test checks the committed binary matches this source.
;;
;; render: one style (render.ts). fg is interleaved 8-bit RGB, the other layers planar f32, the
;; output interleaved 8-bit RGB. With the premultiplied subject S_k = min(255, g_k × fg_k) × A
;; (white-balance gains g), per channel c
;;   out = round(Mc·S + kAc·A + kBc·B + kFc·F + k0c + dither(x, y)), clamped to 0..255,
;; with dither(x, y) = ((7x + (13y & 15)) & 15) × 0.1 − 0.75, an ordered ±0.75 pattern.
(module
  (import "env" "memory" (memory 1))

  ;; $coef points at 24 f32: per channel c (R, G, B) [Mc0, Mc1, Mc2, kAc, kBc, kFc, k0c], then
  ;; [g0, g1, g2]. Pointers are byte offsets; planes hold w × (rows) values from pixel 0; w is a
  ;; multiple of 4; fg is readable 4 bytes past its last pixel.
  (func (export "render")
    (param $fg i32) (param $a i32) (param $b i32) (param $f i32)
    (param $out i32) (param $w i32) (param $y0 i32) (param $y1 i32) (param $coef i32)
    (local $m00 v128) (local $m01 v128) (local $m02 v128) (local $ka0 v128) (local $kb0 v128) (local $kf0 v128) (local $k00 v128)
    (local $m10 v128) (local $m11 v128) (local $m12 v128) (local $ka1 v128) (local $kb1 v128) (local $kf1 v128) (local $k01 v128)
    (local $m20 v128) (local $m21 v128) (local $m22 v128) (local $ka2 v128) (local $kb2 v128) (local $kf2 v128) (local $k02 v128)
    (local $y i32) (local $i i32) (local $end i32) (local $p i32) (local $q i32)
    (local $xv v128) (local $dy v128) (local $d v128)
    (local $vs0 v128) (local $vs1 v128) (local $vs2 v128) (local $va v128) (local $vb v128) (local $vf v128)
    (local $r v128) (local $g v128) (local $bl v128) (local $px v128)
    (local $g0 v128) (local $g1 v128) (local $g2 v128) (local $rgb v128)
    (local.set $m00 (v128.load32_splat offset=0 (local.get $coef)))
    (local.set $m01 (v128.load32_splat offset=4 (local.get $coef)))
    (local.set $m02 (v128.load32_splat offset=8 (local.get $coef)))
    (local.set $ka0 (v128.load32_splat offset=12 (local.get $coef)))
    (local.set $kb0 (v128.load32_splat offset=16 (local.get $coef)))
    (local.set $kf0 (v128.load32_splat offset=20 (local.get $coef)))
    (local.set $k00 (v128.load32_splat offset=24 (local.get $coef)))
    (local.set $m10 (v128.load32_splat offset=28 (local.get $coef)))
    (local.set $m11 (v128.load32_splat offset=32 (local.get $coef)))
    (local.set $m12 (v128.load32_splat offset=36 (local.get $coef)))
    (local.set $ka1 (v128.load32_splat offset=40 (local.get $coef)))
    (local.set $kb1 (v128.load32_splat offset=44 (local.get $coef)))
    (local.set $kf1 (v128.load32_splat offset=48 (local.get $coef)))
    (local.set $k01 (v128.load32_splat offset=52 (local.get $coef)))
    (local.set $m20 (v128.load32_splat offset=56 (local.get $coef)))
    (local.set $m21 (v128.load32_splat offset=60 (local.get $coef)))
    (local.set $m22 (v128.load32_splat offset=64 (local.get $coef)))
    (local.set $ka2 (v128.load32_splat offset=68 (local.get $coef)))
    (local.set $kb2 (v128.load32_splat offset=72 (local.get $coef)))
    (local.set $kf2 (v128.load32_splat offset=76 (local.get $coef)))
    (local.set $k02 (v128.load32_splat offset=80 (local.get $coef)))
    (local.set $g0 (v128.load32_splat offset=84 (local.get $coef)))
    (local.set $g1 (v128.load32_splat offset=88 (local.get $coef)))
    (local.set $g2 (v128.load32_splat offset=92 (local.get $coef)))
    (local.set $y (local.get $y0))
    (block $done
      (br_if $done (i32.ge_s (local.get $y) (local.get $y1)))
      (loop $rows
        (local.set $dy (i32x4.splat (i32.and (i32.mul (local.get $y) (i32.const 13)) (i32.const 15))))
        (local.set $xv (v128.const i32x4 0 7 14 21))
        (local.set $i (i32.mul (local.get $y) (local.get $w)))
        (local.set $end (i32.add (local.get $i) (local.get $w)))
        (loop $pixels
          (local.set $p (i32.shl (local.get $i) (i32.const 2)))
          (local.set $va (v128.load (i32.add (local.get $a) (local.get $p))))
          (local.set $vb (v128.load (i32.add (local.get $b) (local.get $p))))
          (local.set $vf (v128.load (i32.add (local.get $f) (local.get $p))))
          (local.set $d
            (f32x4.sub
              (f32x4.mul
                (f32x4.convert_i32x4_s
                  (v128.and (i32x4.add (local.get $xv) (local.get $dy)) (v128.const i32x4 15 15 15 15)))
                (v128.const f32x4 0.1 0.1 0.1 0.1))
              (v128.const f32x4 0.75 0.75 0.75 0.75)))
          (if (v128.any_true (local.get $va))
            (then
              ;; Four pixels of fg (12 bytes) spread into one channel per i32 lane.
              (local.set $rgb (v128.load (i32.add (local.get $fg) (i32.mul (local.get $i) (i32.const 3)))))
              (local.set $vs0 (f32x4.mul (local.get $va) (f32x4.min (v128.const f32x4 255 255 255 255)
                (f32x4.mul (local.get $g0) (f32x4.convert_i32x4_u
                  (i8x16.shuffle 0 16 16 16 3 16 16 16 6 16 16 16 9 16 16 16 (local.get $rgb) (v128.const i32x4 0 0 0 0)))))))
              (local.set $vs1 (f32x4.mul (local.get $va) (f32x4.min (v128.const f32x4 255 255 255 255)
                (f32x4.mul (local.get $g1) (f32x4.convert_i32x4_u
                  (i8x16.shuffle 1 16 16 16 4 16 16 16 7 16 16 16 10 16 16 16 (local.get $rgb) (v128.const i32x4 0 0 0 0)))))))
              (local.set $vs2 (f32x4.mul (local.get $va) (f32x4.min (v128.const f32x4 255 255 255 255)
                (f32x4.mul (local.get $g2) (f32x4.convert_i32x4_u
                  (i8x16.shuffle 2 16 16 16 5 16 16 16 8 16 16 16 11 16 16 16 (local.get $rgb) (v128.const i32x4 0 0 0 0)))))))
              (local.set $r
                (f32x4.add
                  (f32x4.add
                    (f32x4.add (f32x4.mul (local.get $m00) (local.get $vs0)) (f32x4.mul (local.get $m01) (local.get $vs1)))
                    (f32x4.add (f32x4.mul (local.get $m02) (local.get $vs2)) (f32x4.mul (local.get $ka0) (local.get $va))))
                  (f32x4.add
                    (f32x4.add (f32x4.mul (local.get $kb0) (local.get $vb)) (f32x4.mul (local.get $kf0) (local.get $vf)))
                    (f32x4.add (local.get $k00) (local.get $d)))))
              (local.set $g
                (f32x4.add
                  (f32x4.add
                    (f32x4.add (f32x4.mul (local.get $m10) (local.get $vs0)) (f32x4.mul (local.get $m11) (local.get $vs1)))
                    (f32x4.add (f32x4.mul (local.get $m12) (local.get $vs2)) (f32x4.mul (local.get $ka1) (local.get $va))))
                  (f32x4.add
                    (f32x4.add (f32x4.mul (local.get $kb1) (local.get $vb)) (f32x4.mul (local.get $kf1) (local.get $vf)))
                    (f32x4.add (local.get $k01) (local.get $d)))))
              (local.set $bl
                (f32x4.add
                  (f32x4.add
                    (f32x4.add (f32x4.mul (local.get $m20) (local.get $vs0)) (f32x4.mul (local.get $m21) (local.get $vs1)))
                    (f32x4.add (f32x4.mul (local.get $m22) (local.get $vs2)) (f32x4.mul (local.get $ka2) (local.get $va))))
                  (f32x4.add
                    (f32x4.add (f32x4.mul (local.get $kb2) (local.get $vb)) (f32x4.mul (local.get $kf2) (local.get $vf)))
                    (f32x4.add (local.get $k02) (local.get $d))))))
            (else
              ;; Four transparent pixels: the subject terms are zero, only the backdrop's remain.
              (local.set $r (f32x4.add
                (f32x4.add (f32x4.mul (local.get $kb0) (local.get $vb)) (f32x4.mul (local.get $kf0) (local.get $vf)))
                (f32x4.add (local.get $k00) (local.get $d))))
              (local.set $g (f32x4.add
                (f32x4.add (f32x4.mul (local.get $kb1) (local.get $vb)) (f32x4.mul (local.get $kf1) (local.get $vf)))
                (f32x4.add (local.get $k01) (local.get $d))))
              (local.set $bl (f32x4.add
                (f32x4.add (f32x4.mul (local.get $kb2) (local.get $vb)) (f32x4.mul (local.get $kf2) (local.get $vf)))
                (f32x4.add (local.get $k02) (local.get $d))))))
          ;; Round half to even, saturate to 0..255, then interleave R, G, B of the four pixels.
          (local.set $px
            (i8x16.narrow_i16x8_u
              (i16x8.narrow_i32x4_s
                (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $r)))
                (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $g))))
              (i16x8.narrow_i32x4_s
                (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $bl)))
                (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $bl))))))
          (local.set $px (i8x16.shuffle 0 4 8 1 5 9 2 6 10 3 7 11 12 13 14 15 (local.get $px) (local.get $px)))
          (local.set $q (i32.add (local.get $out) (i32.mul (local.get $i) (i32.const 3))))
          (v128.store64_lane 0 (local.get $q) (local.get $px))
          (v128.store32_lane offset=8 2 (local.get $q) (local.get $px))
          (local.set $xv (i32x4.add (local.get $xv) (v128.const i32x4 28 28 28 28)))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br_if $pixels (i32.lt_s (local.get $i) (local.get $end))))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br_if $rows (i32.lt_s (local.get $y) (local.get $y1))))))

  ;; level: fills out (w × h RGB) by bilinear sampling of src (sw × sh RGB) at source pixel
  ;; (ox + u·ux + v·vx, oy + u·uy + v·vy) for output pixel (u, v); taps outside src repeat its edge
  ;; pixels. Coordinates step in 16.16 fixed point along a row (drift under 0.01 px over 2048
  ;; pixels), weights are in 1/256 and each channel is two integer lerps, rounded. The three
  ;; channels of a pixel are computed together, one per i32 lane. src must be followed by 2
  ;; readable bytes.
  (func (export "level")
    (param $src i32) (param $sw i32) (param $sh i32) (param $out i32) (param $w i32) (param $h i32)
    (param $ox f64) (param $oy f64) (param $ux f64) (param $uy f64) (param $vx f64) (param $vy f64)
    (local $u i32) (local $v i32) (local $x i32) (local $y i32) (local $dx i32) (local $dy i32)
    (local $fx i32) (local $fy i32) (local $maxX i32) (local $maxY i32)
    (local $x1 i32) (local $y1 i32) (local $stride i32)
    (local $pa i32) (local $pc i32) (local $o i32)
    (local $ab v128) (local $cd v128) (local $wx v128) (local $wy v128)
    (local $ta v128) (local $tb v128) (local $top v128) (local $bottom v128)
    (local.set $maxX (i32.sub (local.get $sw) (i32.const 1)))
    (local.set $maxY (i32.sub (local.get $sh) (i32.const 1)))
    (local.set $stride (i32.mul (local.get $sw) (i32.const 3)))
    (local.set $dx (i32.trunc_sat_f64_s (f64.nearest (f64.mul (local.get $ux) (f64.const 65536)))))
    (local.set $dy (i32.trunc_sat_f64_s (f64.nearest (f64.mul (local.get $uy) (f64.const 65536)))))
    (local.set $o (local.get $out))
    (block $done
      (br_if $done (i32.le_s (local.get $h) (i32.const 0)))
      (loop $rows
        (local.set $x (i32.trunc_sat_f64_s (f64.nearest (f64.mul (f64.const 65536)
          (f64.add (local.get $ox) (f64.mul (f64.convert_i32_s (local.get $v)) (local.get $vx)))))))
        (local.set $y (i32.trunc_sat_f64_s (f64.nearest (f64.mul (f64.const 65536)
          (f64.add (local.get $oy) (f64.mul (f64.convert_i32_s (local.get $v)) (local.get $vy)))))))
        (local.set $u (i32.const 0))
        (loop $pixels
          (local.set $fx (i32.shr_s (local.get $x) (i32.const 16)))
          (local.set $fy (i32.shr_s (local.get $y) (i32.const 16)))
          (local.set $wx (i32x4.splat (i32.and (i32.shr_s (local.get $x) (i32.const 8)) (i32.const 255))))
          (local.set $wy (i32x4.splat (i32.and (i32.shr_s (local.get $y) (i32.const 8)) (i32.const 255))))
          (if (i32.and (i32.lt_u (local.get $fx) (local.get $maxX)) (i32.lt_u (local.get $fy) (local.get $maxY)))
            (then
              ;; All four taps inside the source (nearly every pixel): the left and right taps of a
              ;; row are adjacent, one 8-byte load each.
              (local.set $pa (i32.add (local.get $src)
                (i32.add (i32.mul (local.get $fy) (local.get $stride)) (i32.mul (local.get $fx) (i32.const 3)))))
              (local.set $ab (v128.load64_zero (local.get $pa)))
              (local.set $cd (v128.load64_zero (i32.add (local.get $pa) (local.get $stride)))))
            (else
              ;; Clamp each tap to the edge: x0 = clamp(fx), x1 = clamp(fx + 1), likewise y; gather
              ;; the right taps into bytes 3..5 as the fast path has them.
              (local.set $x1 (select (i32.const 0)
                (select (local.get $maxX) (i32.add (local.get $fx) (i32.const 1)) (i32.ge_s (local.get $fx) (local.get $maxX)))
                (i32.lt_s (local.get $fx) (i32.const 0))))
              (local.set $fx (select (i32.const 0)
                (select (local.get $maxX) (local.get $fx) (i32.gt_s (local.get $fx) (local.get $maxX)))
                (i32.lt_s (local.get $fx) (i32.const 0))))
              (local.set $y1 (select (i32.const 0)
                (select (local.get $maxY) (i32.add (local.get $fy) (i32.const 1)) (i32.ge_s (local.get $fy) (local.get $maxY)))
                (i32.lt_s (local.get $fy) (i32.const 0))))
              (local.set $fy (select (i32.const 0)
                (select (local.get $maxY) (local.get $fy) (i32.gt_s (local.get $fy) (local.get $maxY)))
                (i32.lt_s (local.get $fy) (i32.const 0))))
              (local.set $pa (i32.add (local.get $src) (i32.mul (local.get $fy) (local.get $stride))))
              (local.set $pc (i32.add (local.get $src) (i32.mul (local.get $y1) (local.get $stride))))
              (local.set $fx (i32.mul (local.get $fx) (i32.const 3)))
              (local.set $x1 (i32.mul (local.get $x1) (i32.const 3)))
              (local.set $ab (i8x16.shuffle 0 1 2 16 17 18 6 7 8 9 10 11 12 13 14 15
                (v128.load32_zero (i32.add (local.get $pa) (local.get $fx)))
                (v128.load32_zero (i32.add (local.get $pa) (local.get $x1)))))
              (local.set $cd (i8x16.shuffle 0 1 2 16 17 18 6 7 8 9 10 11 12 13 14 15
                (v128.load32_zero (i32.add (local.get $pc) (local.get $fx)))
                (v128.load32_zero (i32.add (local.get $pc) (local.get $x1)))))))
          ;; top = (a << 8) + (b − a)·wx, likewise bottom from c and d; out = ((top << 8) +
          ;; (bottom − top)·wy + 2^15) >> 16, one channel per lane.
          (local.set $ta (i8x16.shuffle 0 16 16 16 1 16 16 16 2 16 16 16 16 16 16 16 (local.get $ab) (v128.const i32x4 0 0 0 0)))
          (local.set $tb (i8x16.shuffle 3 16 16 16 4 16 16 16 5 16 16 16 16 16 16 16 (local.get $ab) (v128.const i32x4 0 0 0 0)))
          (local.set $top (i32x4.add (i32x4.shl (local.get $ta) (i32.const 8))
            (i32x4.mul (i32x4.sub (local.get $tb) (local.get $ta)) (local.get $wx))))
          (local.set $ta (i8x16.shuffle 0 16 16 16 1 16 16 16 2 16 16 16 16 16 16 16 (local.get $cd) (v128.const i32x4 0 0 0 0)))
          (local.set $tb (i8x16.shuffle 3 16 16 16 4 16 16 16 5 16 16 16 16 16 16 16 (local.get $cd) (v128.const i32x4 0 0 0 0)))
          (local.set $bottom (i32x4.add (i32x4.shl (local.get $ta) (i32.const 8))
            (i32x4.mul (i32x4.sub (local.get $tb) (local.get $ta)) (local.get $wx))))
          (local.set $ta
            (i32x4.shr_s
              (i32x4.add
                (i32x4.add (i32x4.shl (local.get $top) (i32.const 8))
                  (i32x4.mul (i32x4.sub (local.get $bottom) (local.get $top)) (local.get $wy)))
                (v128.const i32x4 32768 32768 32768 32768))
              (i32.const 16)))
          ;; Lane k's low byte is channel k.
          (local.set $ta (i8x16.shuffle 0 4 8 12 0 0 0 0 0 0 0 0 0 0 0 0 (local.get $ta) (local.get $ta)))
          (v128.store16_lane 0 (local.get $o) (local.get $ta))
          (v128.store8_lane offset=2 2 (local.get $o) (local.get $ta))
          (local.set $o (i32.add (local.get $o) (i32.const 3)))
          (local.set $x (i32.add (local.get $x) (local.get $dx)))
          (local.set $y (i32.add (local.get $y) (local.get $dy)))
          (local.set $u (i32.add (local.get $u) (i32.const 1)))
          (br_if $pixels (i32.lt_s (local.get $u) (local.get $w))))
        (local.set $v (i32.add (local.get $v) (i32.const 1)))
        (br_if $rows (i32.lt_s (local.get $v) (local.get $h))))))

  ;; quarter: out ((w/4) × (h/4) RGB) = the mean of each 4 × 4 block of src (w × h RGB, rows
  ;; `stride` bytes apart), rounded. w and h are multiples of 4.
  (func (export "quarter") (param $src i32) (param $stride i32) (param $w i32) (param $h i32) (param $out i32)
    (local $bx i32) (local $by i32) (local $p i32) (local $lo v128) (local $hi v128) (local $row v128)
    (local $o i32) (local $k i32)
    (local.set $o (local.get $out))
    (block $done
      (br_if $done (i32.lt_s (local.get $h) (i32.const 4)))
      (loop $rows
        (local.set $bx (i32.const 0))
        (loop $blocks
          ;; Sum the block's four rows of 12 bytes as u16 lanes: lo = bytes 0..7, hi = bytes 8..11.
          (local.set $p (i32.add (i32.add (local.get $src) (i32.mul (local.get $by) (i32.mul (local.get $stride) (i32.const 4))))
            (i32.mul (local.get $bx) (i32.const 12))))
          (local.set $lo (v128.const i32x4 0 0 0 0))
          (local.set $hi (v128.const i32x4 0 0 0 0))
          (local.set $k (i32.const 0))
          (loop $sum
            (local.set $row (v128.load64_zero (local.get $p)))
            (local.set $lo (i16x8.add (local.get $lo) (i16x8.extend_low_i8x16_u (local.get $row))))
            (local.set $row (v128.load32_zero offset=8 (local.get $p)))
            (local.set $hi (i16x8.add (local.get $hi) (i16x8.extend_low_i8x16_u (local.get $row))))
            (local.set $p (i32.add (local.get $p) (local.get $stride)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br_if $sum (i32.lt_s (local.get $k) (i32.const 4))))
          ;; lo lanes: r0 g0 b0 r1 g1 b1 r2 g2; hi lanes: b2 r3 g3 b3.
          (i32.store8 offset=0 (local.get $o)
            (i32.shr_u (i32.add (i32.add
              (i32.add (i16x8.extract_lane_u 0 (local.get $lo)) (i16x8.extract_lane_u 3 (local.get $lo)))
              (i32.add (i16x8.extract_lane_u 6 (local.get $lo)) (i16x8.extract_lane_u 1 (local.get $hi)))) (i32.const 8)) (i32.const 4)))
          (i32.store8 offset=1 (local.get $o)
            (i32.shr_u (i32.add (i32.add
              (i32.add (i16x8.extract_lane_u 1 (local.get $lo)) (i16x8.extract_lane_u 4 (local.get $lo)))
              (i32.add (i16x8.extract_lane_u 7 (local.get $lo)) (i16x8.extract_lane_u 2 (local.get $hi)))) (i32.const 8)) (i32.const 4)))
          (i32.store8 offset=2 (local.get $o)
            (i32.shr_u (i32.add (i32.add
              (i32.add (i16x8.extract_lane_u 2 (local.get $lo)) (i16x8.extract_lane_u 5 (local.get $lo)))
              (i32.add (i16x8.extract_lane_u 0 (local.get $hi)) (i16x8.extract_lane_u 3 (local.get $hi)))) (i32.const 8)) (i32.const 4)))
          (local.set $o (i32.add (local.get $o) (i32.const 3)))
          (local.set $bx (i32.add (local.get $bx) (i32.const 1)))
          (br_if $blocks (i32.lt_s (i32.mul (local.get $bx) (i32.const 4)) (local.get $w))))
        (local.set $by (i32.add (local.get $by) (i32.const 1)))
        (br_if $rows (i32.le_s (i32.mul (i32.add (local.get $by) (i32.const 1)) (i32.const 4)) (local.get $h))))))

  ;; blur: out = the mean of src (w × h f32) over a (2r+1)² window clipped at the borders, as
  ;; matte.ts' boxBlur computed it: running sums in f64, divisors 1/n rounded to f32 except the
  ;; unclipped 1/(2r+1), the same order of operations, so results are bit-identical. tmp holds
  ;; the horizontal pass (w × h f32), col the column sums (w f64).
  (func $inv (param $n i32) (result f64)
    (f64.promote_f32 (f32.demote_f64 (f64.div (f64.const 1) (f64.convert_i32_s (local.get $n))))))
  (func $min (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.lt_s (local.get $a) (local.get $b))))
  (func $max (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.gt_s (local.get $a) (local.get $b))))
  (func (export "blur") (param $src i32) (param $tmp i32) (param $out i32) (param $col i32)
    (param $w i32) (param $h i32) (param $r i32)
    (local $x i32) (local $y i32) (local $row i32) (local $sum f64) (local $full f64) (local $k f64)
    (local $midStart i32) (local $midEnd i32) (local $p i32) (local $add i32) (local $sub i32)
    (local $c v128) (local $kv v128) (local $q i32) (local $end i32)
    (local.set $full (f64.div (f64.const 1) (f64.convert_i32_s (i32.add (i32.mul (local.get $r) (i32.const 2)) (i32.const 1)))))
    (local.set $midStart (call $min (local.get $w) (i32.add (local.get $r) (i32.const 1))))
    (local.set $midEnd (call $max (local.get $midStart) (i32.sub (local.get $w) (local.get $r))))
    ;; Horizontal pass, row by row (addresses in bytes: src/tmp + 4 × index).
    (local.set $y (i32.const 0))
    (block $hdone
      (br_if $hdone (i32.le_s (local.get $h) (i32.const 0)))
      (loop $hrows
        (local.set $row (i32.shl (i32.mul (local.get $y) (local.get $w)) (i32.const 2)))
        (local.set $sum (f64.const 0))
        (local.set $x (i32.const 0))
        (block $b0 (loop $l0
          (br_if $b0 (i32.ge_s (local.get $x) (call $min (local.get $r) (local.get $w))))
          (local.set $sum (f64.add (local.get $sum)
            (f64.promote_f32 (f32.load (i32.add (i32.add (local.get $src) (local.get $row)) (i32.shl (local.get $x) (i32.const 2)))))))
          (local.set $x (i32.add (local.get $x) (i32.const 1)))
          (br $l0)))
        (local.set $x (i32.const 0))
        (block $b1 (loop $l1
          (br_if $b1 (i32.ge_s (local.get $x) (local.get $midStart)))
          (if (i32.lt_s (i32.add (local.get $x) (local.get $r)) (local.get $w))
            (then (local.set $sum (f64.add (local.get $sum)
              (f64.promote_f32 (f32.load (i32.add (i32.add (local.get $src) (local.get $row))
                (i32.shl (i32.add (local.get $x) (local.get $r)) (i32.const 2)))))))))
          (f32.store (i32.add (i32.add (local.get $tmp) (local.get $row)) (i32.shl (local.get $x) (i32.const 2)))
            (f32.demote_f64 (f64.mul (local.get $sum)
              (call $inv (i32.add (call $min (i32.sub (local.get $w) (i32.const 1)) (i32.add (local.get $x) (local.get $r))) (i32.const 1))))))
          (local.set $x (i32.add (local.get $x) (i32.const 1)))
          (br $l1)))
        (block $b2 (loop $l2
          (br_if $b2 (i32.ge_s (local.get $x) (local.get $midEnd)))
          (local.set $p (i32.add (i32.add (local.get $src) (local.get $row)) (i32.shl (local.get $x) (i32.const 2))))
          (local.set $sum (f64.add (local.get $sum)
            (f64.sub
              (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.shl (local.get $r) (i32.const 2)))))
              (f64.promote_f32 (f32.load (i32.sub (local.get $p) (i32.shl (i32.add (local.get $r) (i32.const 1)) (i32.const 2))))))))
          (f32.store (i32.add (i32.add (local.get $tmp) (local.get $row)) (i32.shl (local.get $x) (i32.const 2)))
            (f32.demote_f64 (f64.mul (local.get $sum) (local.get $full))))
          (local.set $x (i32.add (local.get $x) (i32.const 1)))
          (br $l2)))
        (block $b3 (loop $l3
          (br_if $b3 (i32.ge_s (local.get $x) (local.get $w)))
          (if (i32.ge_s (i32.sub (local.get $x) (i32.add (local.get $r) (i32.const 1))) (i32.const 0))
            (then (local.set $sum (f64.sub (local.get $sum)
              (f64.promote_f32 (f32.load (i32.add (i32.add (local.get $src) (local.get $row))
                (i32.shl (i32.sub (local.get $x) (i32.add (local.get $r) (i32.const 1))) (i32.const 2)))))))))
          (f32.store (i32.add (i32.add (local.get $tmp) (local.get $row)) (i32.shl (local.get $x) (i32.const 2)))
            (f32.demote_f64 (f64.mul (local.get $sum)
              (call $inv (i32.add (i32.sub (i32.sub (local.get $w) (i32.const 1)) (call $max (i32.const 0) (i32.sub (local.get $x) (local.get $r)))) (i32.const 1))))))
          (local.set $x (i32.add (local.get $x) (i32.const 1)))
          (br $l3)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br_if $hrows (i32.lt_s (local.get $y) (local.get $h)))))
    ;; Vertical pass: column sums in f64, two columns per step.
    (local.set $x (i32.const 0))
    (block $z (loop $lz
      (br_if $z (i32.ge_s (local.get $x) (local.get $w)))
      (f64.store (i32.add (local.get $col) (i32.shl (local.get $x) (i32.const 3))) (f64.const 0))
      (local.set $x (i32.add (local.get $x) (i32.const 1)))
      (br $lz)))
    (local.set $y (i32.const 0))
    (block $pre (loop $lpre
      (br_if $pre (i32.ge_s (local.get $y) (call $min (local.get $r) (local.get $h))))
      (local.set $row (i32.add (local.get $tmp) (i32.shl (i32.mul (local.get $y) (local.get $w)) (i32.const 2))))
      (local.set $x (i32.const 0))
      (block $pb (loop $pl
        (br_if $pb (i32.ge_s (local.get $x) (local.get $w)))
        (local.set $p (i32.add (local.get $col) (i32.shl (local.get $x) (i32.const 3))))
        (f64.store (local.get $p) (f64.add (f64.load (local.get $p))
          (f64.promote_f32 (f32.load (i32.add (local.get $row) (i32.shl (local.get $x) (i32.const 2)))))))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $pl)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $lpre)))
    (local.set $y (i32.const 0))
    (block $vdone
      (br_if $vdone (i32.le_s (local.get $h) (i32.const 0)))
      (loop $vrows
        (local.set $k (call $inv (i32.add (i32.sub (call $min (i32.sub (local.get $h) (i32.const 1)) (i32.add (local.get $y) (local.get $r)))
          (call $max (i32.const 0) (i32.sub (local.get $y) (local.get $r)))) (i32.const 1))))
        (local.set $kv (f64x2.splat (local.get $k)))
        (local.set $row (i32.add (local.get $out) (i32.shl (i32.mul (local.get $y) (local.get $w)) (i32.const 2))))
        (local.set $add (i32.add (local.get $tmp) (i32.shl (i32.mul (i32.add (local.get $y) (local.get $r)) (local.get $w)) (i32.const 2))))
        (local.set $sub (i32.add (local.get $tmp) (i32.shl (i32.mul (i32.sub (local.get $y) (i32.add (local.get $r) (i32.const 1))) (local.get $w)) (i32.const 2))))
        (local.set $x (i32.const 0))
        (local.set $end (i32.and (local.get $w) (i32.const -2)))
        (block $cb (loop $cl
          (br_if $cb (i32.ge_s (local.get $x) (local.get $end)))
          (local.set $q (i32.shl (local.get $x) (i32.const 2)))
          (local.set $p (i32.add (local.get $col) (i32.shl (local.get $x) (i32.const 3))))
          (local.set $c (v128.load (local.get $p)))
          (if (i32.lt_s (i32.add (local.get $y) (local.get $r)) (local.get $h))
            (then (local.set $c (f64x2.add (local.get $c)
              (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $add) (local.get $q))))))))
          (if (i32.ge_s (i32.sub (local.get $y) (i32.add (local.get $r) (i32.const 1))) (i32.const 0))
            (then (local.set $c (f64x2.sub (local.get $c)
              (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $sub) (local.get $q))))))))
          (v128.store (local.get $p) (local.get $c))
          (v128.store64_lane 0 (i32.add (local.get $row) (local.get $q))
            (f32x4.demote_f64x2_zero (f64x2.mul (local.get $c) (local.get $kv))))
          (local.set $x (i32.add (local.get $x) (i32.const 2)))
          (br $cl)))
        ;; An odd last column.
        (if (i32.lt_s (local.get $x) (local.get $w))
          (then
            (local.set $q (i32.shl (local.get $x) (i32.const 2)))
            (local.set $p (i32.add (local.get $col) (i32.shl (local.get $x) (i32.const 3))))
            (local.set $sum (f64.load (local.get $p)))
            (if (i32.lt_s (i32.add (local.get $y) (local.get $r)) (local.get $h))
              (then (local.set $sum (f64.add (local.get $sum) (f64.promote_f32 (f32.load (i32.add (local.get $add) (local.get $q))))))))
            (if (i32.ge_s (i32.sub (local.get $y) (i32.add (local.get $r) (i32.const 1))) (i32.const 0))
              (then (local.set $sum (f64.sub (local.get $sum) (f64.promote_f32 (f32.load (i32.add (local.get $sub) (local.get $q))))))))
            (f64.store (local.get $p) (local.get $sum))
            (f32.store (i32.add (local.get $row) (local.get $q)) (f32.demote_f64 (f64.mul (local.get $sum) (local.get $k))))))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br_if $vrows (i32.lt_s (local.get $y) (local.get $h))))))

  ;; build: the backdrop layers of rows [y0, y1) (render.ts' StyleRenderer.build): with a = alpha,
  ;; B = (1 − a)(1 − strength × shadow), F = B × smoothstep(min(1, √(dx² + dy²))); B = F = 0
  ;; where a = 1.
  ;; shadow is hw × hh f32, sampled bilinearly with per-column taps xs0, xs1 (i32) and xw (f32)
  ;; and the row position (y + 0.5) × fy − 0.5; dx2 (f32) holds ((x − cx) / radius)² per column.
  ;; f64 arithmetic on f32 loads, as the JavaScript it replaced did.
  (func (export "build")
    (param $a i32) (param $b i32) (param $f i32)
    (param $sd i32) (param $hw i32) (param $hh i32) (param $xs0 i32) (param $xs1 i32) (param $xw i32) (param $dx2 i32)
    (param $w i32) (param $y0 i32) (param $y1 i32) (param $fy f64)
    (param $cy f64) (param $radius f64) (param $strength f64)
    (local $y i32) (local $x i32) (local $i i32) (local $p i32) (local $q i32)
    (local $dy f64) (local $dy2 f64) (local $sy f64) (local $r0 i32) (local $r1 i32) (local $wy f64)
    (local $alpha f64) (local $c0 i32) (local $c1 i32) (local $t0 f64) (local $t1 f64) (local $wx f64)
    (local $top f64) (local $bot f64) (local $sh f64) (local $t f64) (local $bk f64)
    (local.set $y (local.get $y0))
    (block $done
      (br_if $done (i32.ge_s (local.get $y) (local.get $y1)))
      (loop $rows
        (local.set $dy (f64.div (f64.sub (f64.convert_i32_s (local.get $y)) (local.get $cy)) (local.get $radius)))
        (local.set $dy2 (f64.mul (local.get $dy) (local.get $dy)))
        (local.set $sy (f64.max (f64.const 0) (f64.min (f64.convert_i32_s (i32.sub (local.get $hh) (i32.const 1)))
          (f64.sub (f64.mul (f64.add (f64.convert_i32_s (local.get $y)) (f64.const 0.5)) (local.get $fy)) (f64.const 0.5)))))
        (local.set $r0 (i32.mul (i32.trunc_f64_s (local.get $sy)) (local.get $hw)))
        (local.set $r1 (i32.mul (call $min (i32.sub (local.get $hh) (i32.const 1)) (i32.add (i32.trunc_f64_s (local.get $sy)) (i32.const 1)))
          (local.get $hw)))
        (local.set $wy (f64.sub (local.get $sy) (f64.convert_i32_s (i32.trunc_f64_s (local.get $sy)))))
        (local.set $x (i32.const 0))
        (local.set $i (i32.mul (local.get $y) (local.get $w)))
        (loop $pixels
          (local.set $p (i32.shl (local.get $i) (i32.const 2)))
          (local.set $alpha (f64.promote_f32 (f32.load (i32.add (local.get $a) (local.get $p)))))
          (block $next
            (if (f64.ge (local.get $alpha) (f64.const 1))
              (then
                (f32.store (i32.add (local.get $b) (local.get $p)) (f32.const 0))
                (f32.store (i32.add (local.get $f) (local.get $p)) (f32.const 0))
                (br $next)))
            (local.set $q (i32.shl (local.get $x) (i32.const 2)))
            (local.set $c0 (i32.load (i32.add (local.get $xs0) (local.get $q))))
            (local.set $c1 (i32.load (i32.add (local.get $xs1) (local.get $q))))
            (local.set $wx (f64.promote_f32 (f32.load (i32.add (local.get $xw) (local.get $q)))))
            (local.set $t0 (f64.promote_f32 (f32.load (i32.add (local.get $sd) (i32.shl (i32.add (local.get $r0) (local.get $c0)) (i32.const 2))))))
            (local.set $t1 (f64.promote_f32 (f32.load (i32.add (local.get $sd) (i32.shl (i32.add (local.get $r0) (local.get $c1)) (i32.const 2))))))
            (local.set $top (f64.add (local.get $t0) (f64.mul (f64.sub (local.get $t1) (local.get $t0)) (local.get $wx))))
            (local.set $t0 (f64.promote_f32 (f32.load (i32.add (local.get $sd) (i32.shl (i32.add (local.get $r1) (local.get $c0)) (i32.const 2))))))
            (local.set $t1 (f64.promote_f32 (f32.load (i32.add (local.get $sd) (i32.shl (i32.add (local.get $r1) (local.get $c1)) (i32.const 2))))))
            (local.set $bot (f64.add (local.get $t0) (f64.mul (f64.sub (local.get $t1) (local.get $t0)) (local.get $wx))))
            (local.set $sh (f64.add (local.get $top) (f64.mul (f64.sub (local.get $bot) (local.get $top)) (local.get $wy))))
            (local.set $t (f64.min (f64.const 1) (f64.sqrt (f64.add
              (f64.promote_f32 (f32.load (i32.add (local.get $dx2) (local.get $q)))) (local.get $dy2)))))
            (local.set $bk (f64.mul (f64.sub (f64.const 1) (local.get $alpha))
              (f64.sub (f64.const 1) (f64.mul (local.get $strength) (local.get $sh)))))
            (f32.store (i32.add (local.get $b) (local.get $p)) (f32.demote_f64 (local.get $bk)))
            (f32.store (i32.add (local.get $f) (local.get $p)) (f32.demote_f64
              (f64.mul (f64.mul (f64.mul (local.get $bk) (local.get $t)) (local.get $t))
                (f64.sub (f64.const 3) (f64.mul (f64.const 2) (local.get $t)))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.set $x (i32.add (local.get $x) (i32.const 1)))
          (br_if $pixels (i32.lt_s (local.get $x) (local.get $w))))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br_if $rows (i32.lt_s (local.get $y) (local.get $y1))))))
)
