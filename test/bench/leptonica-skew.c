/*
 * Leptonica's skew finder on image files, for the clean-up bench (test/bench/cleanup.ts builds it
 * into the temp directory with `cc -O2 leptonica-skew.c $(pkg-config --cflags --libs lept)`).
 *
 *   leptonica-skew page1.tif page2.jpg ...     (or the paths one a line on stdin)
 *
 * Prints one line per path: "<angle> <conf> <ms with decode> <ms without decode>". The angle is
 * Leptonica's own: the turn, clockwise positive, that straightens the page (the bench converts it).
 * A page where Leptonica finds no skew prints "none" for the angle; one it cannot read prints
 * "error <reason>", so the lines stay in step with the paths.
 * The 1-bit conversion copies pixDeskew's (threshold 130), the sweep is ±12° in 1° steps, both
 * reductions 2, search down to 0.01°.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <leptonica/allheaders.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

static void measure(const char *path) {
    double started = now_ms();
    PIX *pix = pixRead(path);
    if (!pix) {
        printf("error cannot read %s\n", path);
        return;
    }
    double decoded = now_ms();
    /* A 1-bit page is already what the finder wants; anything else gets pixDeskew's threshold. */
    PIX *binary = pixGetDepth(pix) == 1 ? pixClone(pix) : pixConvertTo1(pix, 130);
    l_float32 angle = 0, conf = 0;
    l_ok failed = binary ? pixFindSkewSweepAndSearch(binary, &angle, &conf, 2, 2, 12.0f, 1.0f, 0.01f) : 1;
    double done = now_ms();
    /* pixDeskew leaves such a page as it is, so this is an answer, not a failure. */
    if (failed) printf("none 0 %.2f %.2f\n", done - started, done - decoded);
    else printf("%.4f %.3f %.2f %.2f\n", angle, conf, done - started, done - decoded);
    fflush(stdout);
    pixDestroy(&binary);
    pixDestroy(&pix);
}

int main(int argc, char **argv) {
    setMsgSeverity(L_SEVERITY_NONE); /* its warnings would interleave with the answers */
    if (argc > 1) {
        for (int i = 1; i < argc; i++) measure(argv[i]);
        return 0;
    }
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[0]) measure(line);
    }
    return 0;
}
