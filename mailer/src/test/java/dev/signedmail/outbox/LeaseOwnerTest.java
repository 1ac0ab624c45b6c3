package dev.signedmail.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.UnknownHostException;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

class LeaseOwnerTest {

    @Test
    void machinesThatCannotResolveTheirNameGetDifferentNamesNotLocalhost() {
        Callable<String> unresolvable = () -> {
            throw new UnknownHostException("worker-7: Name or service not known");
        };
        String one = LeaseOwner.host(unresolvable);
        String other = LeaseOwner.host(unresolvable);
        assertNotEquals("localhost", one);
        assertNotEquals(one, other, "two such machines must not both think the other's processes are their own");
        assertFalse(one.contains(":"), "the owner's fields are separated by colons: " + one);
    }

    @Test
    void aResolvedNameIsKeptWithoutColons() {
        assertEquals("worker-7.example.org", LeaseOwner.host(() -> "worker-7.example.org"));
        assertEquals("fe80__1", LeaseOwner.host(() -> "fe80::1"));
    }

    @Test
    void anOwnerFromAnotherHostIsNeverTakenForADeadProcessOfThisOne() {
        // a pid on another host: whether it exists here says nothing about it
        assertFalse(LeaseOwner.diedOnThisHost("another-host-that-is-not-this-one:999999999:abcd1234"));
        String mine = LeaseOwner.create();
        assertFalse(LeaseOwner.diedOnThisHost(mine), "this process is alive");
        String host = mine.substring(0, mine.indexOf(':'));
        assertTrue(LeaseOwner.diedOnThisHost(host + ":999999999:abcd1234"), "a pid that does not exist here has ended");
    }
}
