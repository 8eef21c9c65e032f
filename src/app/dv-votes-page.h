#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define DV_TYPE_VOTES_PAGE (dv_votes_page_get_type ())
G_DECLARE_FINAL_TYPE (DvVotesPage, dv_votes_page, DV, VOTES_PAGE, AdwBin)

/* The Votes page: classify an object from one to four views, and watch the
 * views vote. */

G_END_DECLS
