#include "views/objects/parts.h"

void
dv_object_watercraft_generate (DvObjectBuilder *g)
{
  int type = integer (g, 0, 3);  /* sailboat, motorboat, ship, rowing boat */
  float L = 1.0f, B = type == 3 ? uniform (g, 0.16f, 0.25f) : uniform (g, 0.2f, 0.32f);
  float Hh = type == 2 ? uniform (g, 0.1f, 0.16f) : uniform (g, 0.07f, 0.12f);
  Colour hullc = PICK (g, hull), deck = chance (g, 0.5f) ? PICK (g, wood) : rgb (235, 235, 230);
  if (type == 2 && chance (g, 0.3f))
    hullc = rgb (120, 125, 130);
  /* Hull stations from stern (-z) to bow (+z): half-beam narrows to a point, sheer rises. */
  enum { N = 8 };
  float zs[N], w[N], bot[N], top[N];
  float transom = type == 3 ? uniform (g, 0.05f, 0.3f) : uniform (g, 0.6f, 0.9f);
  for (int s = 0; s < N; s++)
    {
      float u = (float) s / (N - 1);  /* 0 stern .. 1 bow */
      zs[s] = -0.5f * L + u * L;
      float belly = u < 0.5f ? transom + (1 - transom) * sinf (u * PI_F) : cosf ((u - 0.5f) * PI_F * 0.98f);
      if (type == 3)
        belly = sinf (PI_F * (0.04f + 0.92f * u));
      w[s] = 0.5f * B * MAX (belly, 0.02f);
      top[s] = Hh + 0.06f * u * u;
      bot[s] = -Hh * (u < 0.7f ? 1.0f : 1.0f - 2.0f * (u - 0.7f));
    }
  loft_z (g, N, zs, w, bot, top, 0.55f, hullc);
  /* Keep the deck flat and in its own colour: a plate over the widest part. */
  float dl = L * 0.6f;
  float ws = 0.9f * w[0], wf = 0.42f * B;  /* inside the hull at the stern and where the plate ends */
  float deck_xz[8] = { -ws, -0.5f * L + 0.04f, ws, -0.5f * L + 0.04f, wf, -0.5f * L + dl, -wf, -0.5f * L + dl };
  if (type != 3)
    top_plate (g, 4, deck_xz, Hh + 0.01f, 0.02f, deck);
  else
    {
      /* An open boat: show its inside as a wooden floor inset from the gunwale. */
      float outline[2 * 2 * N];
      for (int s = 0; s < N; s++)
        {
          outline[2 * s] = 0.8f * w[s];
          outline[2 * s + 1] = 0.95f * zs[s];
          outline[2 * (2 * N - 1 - s)] = -0.8f * w[s];
          outline[2 * (2 * N - 1 - s) + 1] = 0.95f * zs[s];
        }
      top_plate (g, 2 * N, outline, top[N / 2] - 0.005f, 0.02f, PICK (g, wood));
    }
  switch (type)
    {
    case 0:  /* sailboat: mast, main sail and jib */
      {
        float mh = uniform (g, 0.7f, 1.1f), mz = uniform (g, 0.0f, 0.15f);
        tube (g, 0, Hh, mz, 0, Hh + mh, mz, 0.008f, PICK (g, metal));
        Colour sail = chance (g, 0.8f) ? rgb (245, 245, 240) : PICK (g, paint);
        float boom = uniform (g, 0.3f, 0.45f);
        float zy[6] = { mz - 0.01f, Hh + 0.06f, mz - 0.01f, Hh + mh * 0.97f, mz - boom, Hh + 0.06f };
        side_prism (g, 3, zy, 0, 0.006f, sail);
        if (chance (g, 0.7f))
          {
            float jz = 0.42f * L;
            float jy[6] = { mz + 0.01f, Hh + 0.05f, jz, Hh + 0.08f, mz + 0.01f, Hh + mh * 0.85f };
            side_prism (g, 3, jy, 0, 0.006f, sail);
          }
        box (g, 0, Hh + 0.04f, -0.1f, 0.5f * B, 0.05f, 0.2f, deck);
        break;
      }
    case 1:  /* motorboat: cabin with a raked windscreen */
      {
        float cz = uniform (g, -0.05f, 0.1f), cl = uniform (g, 0.2f, 0.35f), ch = uniform (g, 0.06f, 0.1f);
        box (g, 0, Hh + 0.5f * ch, cz - 0.5f * cl, 0.7f * B, ch, cl, rgb (240, 240, 240));
        DvXform ws = dv_xform_place (0, Hh + 0.5f * ch, cz + 0.05f, 0.7f * B, ch, 0.1f, 0, 0, 0);
        DvXform xf = in_frame (g, &ws);
        dv_mesh_add_wedge (g->mesh, &xf, (guint8[3]) { 40, 50, 65 });
        if (chance (g, 0.6f))
          box (g, 0, Hh + 0.01f, -0.5f * L - 0.02f, 0.1f, 0.1f, 0.05f, PICK (g, dark));
        break;
      }
    case 2:  /* ship: stacked decks, a bridge and funnels */
      {
        int levels = integer (g, 1, 3);
        float sz = uniform (g, -0.25f, 0.05f), sl = uniform (g, 0.2f, 0.45f), sw = 0.75f * B, y = Hh;
        Colour superc = chance (g, 0.7f) ? rgb (240, 240, 240) : hullc;
        for (int i = 0; i < levels; i++)
          {
            float lh = uniform (g, 0.05f, 0.08f);
            box (g, 0, y + 0.5f * lh, sz, sw, lh, sl, superc);
            box (g, 0, y + 0.6f * lh, sz + 0.5f * sl + 0.001f, sw * 0.9f, 0.2f * lh, 0.004f, rgb (30, 40, 55));
            y += lh;
            sl *= 0.75f;
            sw *= 0.9f;
          }
        int funnels = integer (g, 0, 2);
        Colour fc = PICK (g, paint);
        for (int f = 0; f < funnels; f++)
          cylinder (g, 'y', 0, y + 0.05f, sz - 0.1f - 0.08f * f, 0.05f, 0.1f, fc);
        if (chance (g, 0.4f))  /* containers on the fore deck */
          for (int i = 0; i < 3; i++)
            box (g, 0, Hh + 0.03f, 0.12f + 0.09f * i, 0.7f * B, 0.06f, 0.08f, PICK (g, paint));
        tube (g, 0, y, sz, 0, y + uniform (g, 0.1f, 0.2f), sz, 0.006f, PICK (g, metal));
        break;
      }
    default:  /* rowing boat: thwarts across */
      {
        int thwarts = integer (g, 1, 3);
        for (int i = 0; i < thwarts; i++)
          box (g, 0, 0.6f * Hh, -0.2f + 0.2f * i, 0.8f * B, 0.015f, 0.05f, PICK (g, wood));
        if (chance (g, 0.5f))
          for (int s = -1; s <= 1; s += 2)
            tube (g, s * 0.4f * B, Hh, 0.0f, s * 0.9f * B, -0.02f, -0.3f, 0.006f, PICK (g, wood));
        break;
      }
    }
}
