package dev.signedmail.operator;

/**
 * Who is acting right now and from where, as the audit log records it.
 *
 * @param via the interface: cli, api, web or cron
 * @param address where the request came from (an IP address, or user@host for a local shell)
 */
public record Actor(Operator operator, String name, String via, String address) {

    public static Actor of(Operator operator, String via, String address) {
        return new Actor(operator, operator.name(), via, address);
    }

    /** A program acting on its own, such as {@code run-due} from cron: it may only do what people approved. */
    public static Actor system(String name, String via, String address) {
        return new Actor(null, name, via, address);
    }

    /** The operator; refuses when this is not a person (cron, first-admin bootstrap). */
    public Operator requireOperator(String action) {
        if (operator == null) {
            throw new dev.signedmail.Problem(action + " needs an operator: set MAILER_TOKEN or pass --token-file FILE");
        }
        return operator;
    }

    /** A local command line: the SSH client's address when there is one, else the local user and host. */
    public static String localAddress() {
        String ssh = System.getenv("SSH_CLIENT");
        String user = System.getProperty("user.name", "?");
        if (ssh != null && !ssh.isBlank()) {
            return user + "@" + ssh.strip().split("\\s+")[0] + " (ssh)";
        }
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return user + "@" + host;
    }
}
