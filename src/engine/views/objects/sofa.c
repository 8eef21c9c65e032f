#include "views/objects/parts.h"

void
dv_object_sofa_generate (DvObjectBuilder *g)
{
  gboolean armchair = chance (g, 0.12f);
  float W = armchair ? uniform (g, 0.8f, 1.0f) : uniform (g, 1.4f, 2.4f), D = uniform (g, 0.75f, 0.95f);
  Colour cloth = PICK (g, fabric), cushion = scaled (cloth, uniform (g, 0.9f, 1.1f));
  float leg = chance (g, 0.6f) ? uniform (g, 0.05f, 0.15f) : 0.0f;
  float base_h = uniform (g, 0.15f, 0.28f), seat_t = uniform (g, 0.08f, 0.14f);
  float arm_w = chance (g, 0.1f) ? 0.0f : uniform (g, 0.1f, 0.25f), arm_h = uniform (g, 0.12f, 0.3f);
  float back_h = uniform (g, 0.3f, 0.5f), back_t = uniform (g, 0.15f, 0.25f);
  if (leg > 0)
    {
      Colour legc = (chance (g, 0.6f) ? PICK (g, wood) : PICK (g, dark));
      for (int sx = -1; sx <= 1; sx += 2)
        for (int sz = -1; sz <= 1; sz += 2)
          frustum (g, 'y', sx * (0.5f * W - 0.06f), 0.5f * leg, sz * (0.5f * D - 0.06f), 0.035f, 0.05f, leg, legc);
    }
  float y_seat = leg + base_h;
  box (g, 0, leg + 0.5f * base_h, 0, W, base_h, D, cloth);
  /* Back along the rear, arms at the ends, cushions in between. */
  box (g, 0, y_seat + 0.5f * back_h, -0.5f * D + 0.5f * back_t, W, back_h, back_t, cloth);
  gboolean round_arms = chance (g, 0.3f);
  if (arm_w > 0)
    for (int s = -1; s <= 1; s += 2)
      {
        float x = s * (0.5f * W - 0.5f * arm_w);
        box (g, x, y_seat + 0.5f * arm_h, 0, arm_w, arm_h, D, cloth);
        if (round_arms)
          cylinder (g, 'z', x, y_seat + arm_h, 0, arm_w * 1.15f, D, cloth);
      }
  float inner = W - 2 * arm_w;
  int n = armchair ? 1 : inner > 1.6f ? 3 : integer (g, 1, 2);
  float cw = inner / n;
  for (int i = 0; i < n; i++)
    {
      float x = -0.5f * inner + (i + 0.5f) * cw;
      box (g, x, y_seat + 0.5f * seat_t, 0.5f * back_t, cw * 0.97f, seat_t, D - back_t, cushion);
      if (chance (g, 0.5f))
        box_rot (g, x, y_seat + seat_t + 0.45f * back_h, -0.5f * D + back_t + 0.06f, cw * 0.95f, back_h * 0.85f, 0.12f,
                 -0.15f, 0, 0, cushion);
    }
  if (!armchair && chance (g, 0.2f))  /* an L-shaped chaise on one side */
    {
      float s = chance (g, 0.5f) ? 1.0f : -1.0f, ext = uniform (g, 0.45f, 0.75f), cwid = uniform (g, 0.6f, 0.8f);
      float x = s * (0.5f * W - arm_w - 0.5f * cwid);
      box (g, x, leg + 0.5f * base_h, 0.5f * D + 0.5f * ext, cwid, base_h, ext, cloth);
      box (g, x, y_seat + 0.5f * seat_t, 0.5f * D + 0.5f * ext - 0.02f, cwid * 0.97f, seat_t, ext, cushion);
    }
}
