/* The one JSON form of a sampler's settings, written and read by the
 * Playground's configuration files and by `dimvida toy train`'s
 * final_info.json: two members of the object they sit in,
 *   "sampler": "ddpm" | "ddim",  "sampler_steps": the steps field
 * (DDIM's number of steps; DDPM always takes all T and ignores it). The
 * DDPM noise seed is not written: each caller derives it from the training
 * seed. */
#pragma once

#include <json-glib/json-glib.h>

#include "toy/sampler.h"

G_BEGIN_DECLS

/* DDPM, steps 0, seed 0. */
void dv_toy_sampler_config_init (DvToySamplerConfig *cfg);
/* DV_ERROR_INVALID unless the kind is known and, for DDIM, steps is 1..T
 * (the sampler's "0 = all T" is for callers to resolve before). */
gboolean dv_toy_sampler_config_check (const DvToySamplerConfig *cfg, int T, GError **error);
/* Adds the two members to the object being built. */
void dv_toy_sampler_config_to_json (const DvToySamplerConfig *cfg, JsonBuilder *builder);
/* Reads the members that are there (the others keep their value);
 * DV_ERROR_FORMAT when one has the wrong type or an unknown value. */
gboolean dv_toy_sampler_config_from_json (DvToySamplerConfig *cfg, JsonObject *object, GError **error);

G_END_DECLS
