/* The fixed cost any program pays to use this machine's libgit2: loading the
   library and git_libgit2_init(), which (in Debian's mbedTLS build) also parses
   the system CA bundle. benchmarks/vcs.sh times it as a floor for comparison. */
#include <git2.h>

int main(void) {
    git_libgit2_init();
    return 0;
}
