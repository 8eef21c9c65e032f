#include "views/objects/parts.h"

void
dv_object_chair_generate (DvObjectBuilder *g)
{
  float sw = uniform (g, 0.4f, 0.56f), sd = uniform (g, 0.38f, 0.52f), sh = uniform (g, 0.4f, 0.5f), st = uniform (g,
    0.03f, 0.09f);
  gboolean office = chance (g, 0.22f);
  Colour frame = office ? PICK (g, dark) : chance (g, 0.6f) ? PICK (g, wood) : PICK (g, metal);
  Colour seat = office || chance (g, 0.45f) ? PICK (g, fabric) : frame;
  box (g, 0, sh - 0.5f * st, 0, sw, st, sd, seat);
  float lt = uniform (g, 0.025f, 0.05f);
  if (office)
    {
      cylinder (g, 'y', 0, 0.5f * (0.08f + sh - st), 0, 0.05f, sh - st - 0.08f, PICK (g, metal));
      int arms = 5;
      for (int k = 0; k < arms; k++)
        {
          float a = 2.0f * PI_F * k / arms + PI_F / 2;
          box_rot (g, 0.14f * cosf (a), 0.07f, -0.14f * sinf (a), 0.28f, 0.03f, 0.04f, 0, a, 0, frame);
          ellipsoid (g, 0.27f * cosf (a), 0.025f, -0.27f * sinf (a), 0.05f, 0.05f, 0.05f, frame);
        }
    }
  else
    {
      gboolean round_legs = chance (g, 0.4f), stretchers = chance (g, 0.35f);
      float inset = uniform (g, 0.0f, 0.04f), lh = sh - st;
      for (int sx = -1; sx <= 1; sx += 2)
        for (int sz = -1; sz <= 1; sz += 2)
          {
            float x = sx * (0.5f * sw - 0.5f * lt - inset), z = sz * (0.5f * sd - 0.5f * lt - inset);
            if (round_legs)
              cylinder (g, 'y', x, 0.5f * lh, z, lt, lh, frame);
            else
              box (g, x, 0.5f * lh, z, lt, lh, lt, frame);
          }
      if (stretchers)
        for (int sx = -1; sx <= 1; sx += 2)
          box (g, sx * (0.5f * sw - 0.5f * lt - inset), 0.3f * lh, 0, 0.6f * lt, 0.6f * lt, sd - 2 * inset, frame);
    }

  /* The back, built upright at the rear of the seat and tilted backwards. */
  float bh = uniform (g, 0.3f, 0.6f), tilt = uniform (g, 0.0f, 0.25f), bt = uniform (g, 0.02f, 0.06f);
  DvXform t0 = dv_xform_translate (0, sh, -0.5f * sd + 0.5f * bt), r0 = dv_xform_rotate_x (-tilt);
  g->frame = dv_xform_mul (&t0, &r0);
  int back = office ? 0 : integer (g, 0, 3);
  float bw = sw * uniform (g, 0.85f, 1.0f);
  Colour backc = back == 0 ? seat : frame;
  switch (back)
    {
    case 0:  /* solid panel */
      box (g, 0, 0.5f * bh + (office ? 0.08f : 0.0f), 0, bw, bh, bt, backc);
      if (office)
        box (g, 0, 0.05f, -0.02f, 0.05f, 0.1f, 0.02f, frame);
      break;
    case 1:  /* vertical slats under a top rail */
      {
        int n = integer (g, 3, 6);
        float rail = uniform (g, 0.05f, 0.1f);
        box (g, 0, bh - 0.5f * rail, 0, bw, rail, bt, frame);
        for (int i = 0; i < n; i++)
          box (g, -0.5f * bw + (i + 0.5f) * bw / n, 0.5f * (bh - rail), 0, 0.35f * bw / n, bh - rail, 0.6f * bt, frame);
        break;
      }
    case 2:  /* horizontal rails between two posts */
      {
        int n = integer (g, 2, 4);
        for (int s = -1; s <= 1; s += 2)
          box (g, s * (0.5f * bw - 0.5f * lt), 0.5f * bh, 0, lt, bh, lt, frame);
        for (int i = 0; i < n; i++)
          box (g, 0, bh - 0.04f - i * (bh * 0.7f / n), 0, bw, 0.06f, 0.6f * bt, frame);
        break;
      }
    default:  /* panel with a rounded top */
      box (g, 0, 0.4f * bh, 0, bw, 0.8f * bh, bt, backc);
      cylinder (g, 'z', 0, 0.8f * bh, 0, bw, bt, backc);
      break;
    }
  g->frame = dv_xform_identity ();

  if (chance (g, office ? 0.6f : 0.3f))  /* arm rests */
    {
      float ah = uniform (g, 0.18f, 0.25f);
      for (int s = -1; s <= 1; s += 2)
        {
          float x = s * (0.5f * sw - 0.02f);
          box (g, x, sh + ah, -0.05f, 0.05f, 0.03f, sd * 0.8f, frame);
          box (g, x, sh + 0.5f * ah, office ? -0.05f : 0.5f * sd - 0.08f, 0.03f, ah, 0.03f, frame);
        }
    }
}
