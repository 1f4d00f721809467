#ifndef PROMPTLAB_CGIT2_SHIM_H
#define PROMPTLAB_CGIT2_SHIM_H
#include <git2.h>
#include <git2/sys/commit.h>

/* git_libgit2_opts is variadic, which Swift cannot call; these wrappers expose
   the few options GitKit needs with fixed signatures. */
static inline int cgit2_set_search_path(int level, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, path);
}

static inline int cgit2_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}
#endif
