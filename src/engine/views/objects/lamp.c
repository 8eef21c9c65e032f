#include "views/objects/parts.h"

static void
shade_cone (DvObjectBuilder *g, float x, float y, float z, float d_bottom, float d_top, float h, Colour c)
{
  frustum (g, 'y', x, y, z, d_bottom, d_top, h, c);
}

void
dv_object_lamp_generate (DvObjectBuilder *g)
{
  int type = integer (g, 0, 3);  /* floor, table, desk (articulated), arc */
  Colour metalc = chance (g, 0.6f) ? PICK (g, metal) : PICK (g, dark);
  Colour shadec = PICK (g, lampshade);
  Colour basec = chance (g, 0.5f) ? metalc : (chance (g, 0.5f) ? PICK (g, wood) : PICK (g, plastic));
  switch (type)
    {
    case 0:
      {
        float H = uniform (g, 1.2f, 1.7f), bd = uniform (g, 0.22f, 0.38f);
        cylinder (g, 'y', 0, 0.015f, 0, bd, 0.03f, basec);
        float sh = uniform (g, 0.22f, 0.35f), sd = uniform (g, 0.3f, 0.5f);
        tube (g, 0, 0.03f, 0, 0, H - 0.6f * sh, 0, 0.012f, metalc);
        shade_cone (g, 0, H - 0.5f * sh, 0, sd, sd * uniform (g, 0.5f, 0.9f), sh, shadec);
        break;
      }
    case 1:
      {
        float bh = uniform (g, 0.15f, 0.35f), bd = uniform (g, 0.1f, 0.2f);
        if (chance (g, 0.5f))
          ellipsoid (g, 0, 0.5f * bh, 0, bd * 1.3f, bh, bd * 1.3f, basec);
        else
          frustum (g, 'y', 0, 0.5f * bh, 0, bd, bd * uniform (g, 0.5f, 1.0f), bh, basec);
        float stem = uniform (g, 0.05f, 0.15f), sh = uniform (g, 0.15f, 0.25f), sd = uniform (g, 0.22f, 0.4f);
        tube (g, 0, bh, 0, 0, bh + stem + 0.3f * sh, 0, 0.01f, metalc);
        shade_cone (g, 0, bh + stem + 0.5f * sh, 0, sd, sd * uniform (g, 0.55f, 0.95f), sh, shadec);
        break;
      }
    case 2:
      {
        float bd = uniform (g, 0.14f, 0.22f);
        cylinder (g, 'y', 0, 0.015f, 0, bd, 0.03f, basec);
        float a1 = uniform (g, -0.4f, 0.4f), l1 = uniform (g, 0.3f, 0.45f), a2 = uniform (g, 0.7f, 1.4f),
          l2 = uniform (g, 0.28f, 0.4f);
        float j1[3] = { 0, 0.03f + l1 * cosf (a1), -l1 * sinf (a1) - 0.03f };
        float j2[3] = { 0, j1[1] + l2 * cosf (a2) * 0.3f, j1[2] + l2 * sinf (a2) };
        tube (g, 0, 0.03f, -0.03f, j1[0], j1[1], j1[2], 0.012f, metalc);
        ellipsoid (g, j1[0], j1[1], j1[2], 0.04f, 0.04f, 0.04f, metalc);
        tube (g, j1[0], j1[1], j1[2], j2[0], j2[1], j2[2], 0.012f, metalc);
        /* The head: a cone opening downwards and forwards. */
        float hd = uniform (g, 0.12f, 0.2f), hh = uniform (g, 0.1f, 0.16f);
        DvXform t0 = dv_xform_translate (j2[0], j2[1] - 0.3f * hh, j2[2]), r0 = dv_xform_rotate_x (uniform (g, 0.1f,
          0.6f));
        g->frame = dv_xform_mul (&t0, &r0);
        shade_cone (g, 0, 0, 0, hd, hd * 0.3f, hh, shadec);
        g->frame = dv_xform_identity ();
        break;
      }
    default:
      {
        float R = uniform (g, 0.5f, 0.8f), H = uniform (g, 1.2f, 1.7f);
        box (g, 0, 0.04f, 0, 0.3f, 0.08f, 0.3f, basec);
        tube (g, 0, 0.08f, 0, 0, H - R, 0, 0.015f, metalc);
        /* An arc in the yz plane rising from the pole's top, over and a little down
         * (the torus's +x maps to -z, its +z to +y, its axis to x); the shade hangs at its end. */
        float r = 0.015f, s = 2.0f * (R + r), sweep = uniform (g, 0.6f, 0.75f) * PI_F;
        DvXform local = { { { 0, s, 0, 0 }, { 0, 0, s, H - R }, { -s, 0, 0, R } } };
        DvXform xf = in_frame (g, &local);
        dv_mesh_add_torus (g->mesh, &xf, r / (R + r), sweep, 16, 8, metalc.rgb);
        float sd = uniform (g, 0.25f, 0.4f);
        float end_y = H - R + R * sinf (sweep), end_z = R - R * cosf (sweep);
        ellipsoid (g, 0, end_y - 0.06f, end_z, sd, 0.2f, sd, shadec);
        break;
      }
    }
}
