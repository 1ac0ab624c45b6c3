package dev.signedmail.verify;

import dev.signedmail.TestSupport;
import java.nio.file.Path;

/** Paths to keys-example/ and the shared corpora. */
final class Corpora {
    private Corpora() {
    }

    static Path root() {
        return TestSupport.projectRoot();
    }

    static Path keys(String name) {
        return TestSupport.keyFile(name);
    }

    static Path corpus(String relative) {
        return TestSupport.corpus(relative);
    }
}
