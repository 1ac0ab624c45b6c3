package dev.signedmail.outbox;

import java.net.InetAddress;
import java.util.UUID;

/**
 * Who holds a lease: {@code host:pid:random}. The host and pid let a sender on the same machine
 * see that the holder's process has ended (after Ctrl-C or kill -9) and take its rows at once;
 * senders elsewhere wait for the lease to run out. That needs host names that differ between
 * machines: a machine that cannot resolve its own name gets a random one, never a shared
 * "localhost" under which it would take the live rows of every other such machine.
 */
public final class LeaseOwner {
    private static final String HOST = host(() -> InetAddress.getLocalHost().getHostName());

    private LeaseOwner() {
    }

    public static String create() {
        return HOST + ":" + ProcessHandle.current().pid() + ":" + UUID.randomUUID().toString().substring(0, 8);
    }

    static boolean diedOnThisHost(String owner) {
        String[] parts = owner.split(":");
        if (parts.length != 3 || !parts[0].equals(HOST)) {
            return false;
        }
        try {
            long pid = Long.parseLong(parts[1]);
            return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** This machine's name as leases carry it; {@code lookup} is the system's (a parameter for tests). */
    static String host(java.util.concurrent.Callable<String> lookup) {
        try {
            return lookup.call().replace(':', '_');
        } catch (Exception e) {
            // Not "localhost": two such machines would each see the other's processes as ended ones of
            // its own and take their rows while they are still being sent. A random name only costs the
            // shortcut: a process on this machine that dies is taken over when its lease runs out.
            return "unresolved-" + UUID.randomUUID().toString().substring(0, 8);
        }
    }
}
