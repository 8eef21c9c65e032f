#include "toy/sampler_config.h"

#include <string.h>

void
dv_toy_sampler_config_init (DvToySamplerConfig *cfg)
{
  memset (cfg, 0, sizeof *cfg);
  cfg->kind = DV_SAMPLER_DDPM;
}

gboolean
dv_toy_sampler_config_check (const DvToySamplerConfig *cfg, int T, GError **error)
{
  if (cfg->kind != DV_SAMPLER_DDPM && cfg->kind != DV_SAMPLER_DDIM)
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "Unknown sampler kind %d", (int) cfg->kind);
      return FALSE;
    }
  if (cfg->kind == DV_SAMPLER_DDIM && (cfg->steps < 1 || cfg->steps > T))
    {
      g_set_error (error, DV_ERROR, DV_ERROR_INVALID, "DDIM steps must be between 1 and T (%d), not %d", T,
                   cfg->steps);
      return FALSE;
    }
  return TRUE;
}

void
dv_toy_sampler_config_to_json (const DvToySamplerConfig *cfg, JsonBuilder *builder)
{
  json_builder_set_member_name (builder, "sampler");
  json_builder_add_string_value (builder, dv_sampler_kind_to_string (cfg->kind));
  json_builder_set_member_name (builder, "sampler_steps");
  json_builder_add_int_value (builder, cfg->steps);
}

static gboolean
holds_type (JsonNode *node, GType type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

gboolean
dv_toy_sampler_config_from_json (DvToySamplerConfig *cfg, JsonObject *object, GError **error)
{
  JsonNode *kind = json_object_get_member (object, "sampler");
  if (kind != NULL)
    {
      if (!holds_type (kind, G_TYPE_STRING))
        {
          g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "“sampler” should be a string (ddpm or ddim)");
          return FALSE;
        }
      g_autoptr (GError) local = NULL;
      if (!dv_sampler_kind_from_string (json_node_get_string (kind), &cfg->kind, &local))
        {
          g_set_error_literal (error, DV_ERROR, DV_ERROR_FORMAT, local->message);
          return FALSE;
        }
    }
  /* Playground files written before this schema called the steps "ddim_steps". */
  JsonNode *steps = json_object_get_member (object, "sampler_steps");
  const char *steps_name = "sampler_steps";
  if (steps == NULL)
    steps = json_object_get_member (object, steps_name = "ddim_steps");
  if (steps != NULL)
    {
      gint64 value = holds_type (steps, G_TYPE_INT64) ? json_node_get_int (steps) : -1;
      if (value < 0 || value > G_MAXINT)
        {
          g_set_error (error, DV_ERROR, DV_ERROR_FORMAT, "“%s” should be a whole number of steps", steps_name);
          return FALSE;
        }
      cfg->steps = (int) value;
    }
  return TRUE;
}
