#include "core/errors.h"

G_DEFINE_QUARK (dv-error-quark, dv_error)
