package dev.signedmail.subscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class EmailAddressesTest {

    @Test
    void internationalisedDomainBecomesPunycodeAndLowerCase() throws Exception {
        assertEquals("anna@xn--bcher-kva.example", EmailAddresses.normalise(" anna@Bücher.Example "));
        assertEquals("first.last+news@example.org", EmailAddresses.normalise("First.Last+news@EXAMPLE.org"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plainaddress", "a@b", "two@@example.org", "a@b@example.org", ".dot@example.org",
            "dot.@example.org", "a..b@example.org", "zoë@example.org", "space here@example.org",
            "a@-bad-.example", "a@example.123", "x@exa_mple.org", "line\r\nbreak@example.org"})
    void rejectsInvalidAddresses(String raw) {
        assertThrows(EmailAddresses.Invalid.class, () -> EmailAddresses.normalise(raw));
    }

    @Test
    void namesLoseControlCharactersSoTheyCannotInjectHeaders() {
        assertEquals("Eve Bcc: victim@example.org", EmailAddresses.cleanName("Eve\r\nBcc: victim@example.org"));
        assertNull(EmailAddresses.cleanName(" \t\r\n "));
    }
}
