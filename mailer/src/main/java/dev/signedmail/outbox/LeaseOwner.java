package dev.signedmail.outbox;

import java.net.InetAddress;
import java.util.UUID;

/**
 * Who holds a lease: {@code host:pid:random}. The host and pid let a sender on the same machine
 * see that the holder's process has ended (after Ctrl-C or kill -9) and take its rows at once;
 * senders elsewhere wait for the lease to run out.
 */
public final class LeaseOwner {
    private static final String HOST = host();

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

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName().replace(':', '_');
        } catch (Exception e) {
            return "localhost";
        }
    }
}
