#include "views/objects/parts.h"

void
dv_object_bench_generate (DvObjectBuilder *g)
{
  float L = uniform (g, 1.1f, 2.0f), D = uniform (g, 0.3f, 0.5f), H = uniform (g, 0.38f, 0.48f), t = uniform (g,
    0.03f, 0.07f);
  Colour seat = chance (g, 0.75f) ? PICK (g, wood) : PICK (g, plastic);
  Colour legc = chance (g, 0.5f) ? seat : chance (g, 0.5f) ? PICK (g, metal) : PICK (g, dark);
  gboolean slats = chance (g, 0.5f);
  if (slats)
    {
      int n = integer (g, 3, 6);
      float gap = uniform (g, 0.01f, 0.03f), sw = (D - gap * (n - 1)) / n;
      for (int i = 0; i < n; i++)
        box (g, 0, H - 0.5f * t, -0.5f * D + 0.5f * sw + i * (sw + gap), L, t, sw, seat);
    }
  else
    box (g, 0, H - 0.5f * t, 0, L, t, D, seat);

  int support = integer (g, 0, 3);
  float lh = H - t, lt = uniform (g, 0.04f, 0.08f), inset = uniform (g, 0.03f, 0.15f) * L;
  float xs[3] = { -0.5f * L + inset, 0.5f * L - inset, 0.0f };
  int pairs = (support == 3 || (support == 0 && L > 1.6f)) ? 3 : 2;
  for (int p = 0; p < pairs; p++)
    {
      float x = xs[p];
      if (support == 1)  /* solid end panels */
        box (g, x, 0.5f * lh, 0, lt, lh, D * uniform (g, 0.85f, 1.0f), legc);
      else if (support == 2)  /* splayed trestle legs */
        {
          float spread = uniform (g, 0.05f, 0.12f);
          for (int s = -1; s <= 1; s += 2)
            tube (g, x, lh, s * 0.3f * D, x, 0, s * (0.3f * D + spread), 0.5f * lt, legc);
          box (g, x, lh - 0.03f, 0, lt, 0.05f, D * 0.9f, legc);
        }
      else
        for (int s = -1; s <= 1; s += 2)
          box (g, x, 0.5f * lh, s * (0.5f * D - 0.5f * lt - 0.02f), lt, lh, lt, legc);
    }
  if (support != 1 && chance (g, 0.5f))  /* a stretcher along the length */
    box (g, 0, 0.3f * lh, 0, L - 2 * inset, 0.04f, 0.04f, legc);

  if (chance (g, 0.45f))  /* back rest */
    {
      float bh = uniform (g, 0.3f, 0.45f), tilt = uniform (g, 0.05f, 0.3f);
      DvXform t0 = dv_xform_translate (0, H, -0.5f * D + 0.03f), r0 = dv_xform_rotate_x (-tilt);
      g->frame = dv_xform_mul (&t0, &r0);
      int rails = integer (g, 2, 4);
      float rh = bh / (rails * 1.6f);
      for (int i = 0; i < rails; i++)
        box (g, 0, bh - 0.5f * rh - i * 1.6f * rh, 0, L * 0.98f, rh, 0.03f, seat);
      for (int p = 0; p < pairs; p++)
        box (g, xs[p], 0.5f * bh, -0.025f, 0.05f, bh, 0.03f, legc);
      g->frame = dv_xform_identity ();
      if (chance (g, 0.5f))  /* arm rests */
        for (int s = -1; s <= 1; s += 2)
          {
            box (g, s * (0.5f * L - 0.03f), H + 0.22f, 0, 0.05f, 0.04f, D, legc);
            box (g, s * (0.5f * L - 0.03f), H + 0.11f, 0.4f * D, 0.04f, 0.22f, 0.04f, legc);
          }
    }
}
