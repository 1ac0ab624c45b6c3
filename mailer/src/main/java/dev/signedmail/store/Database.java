package dev.signedmail.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.signedmail.Problem;
import dev.signedmail.config.Setting;
import dev.signedmail.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.locator.ClasspathSqlLocator;

/**
 * The database: a small connection pool, Flyway migrations ({@code db/migration}, one per
 * version) and Jdbi for access, with named SQL from {@code queries/*.sql}.
 */
public final class Database implements AutoCloseable {

    /** PostgreSQL only: where the type names that H2 spells differently live (see {@link #init}). */
    private static final String PG_COMPAT_SCHEMA = "signedmail_compat";
    private static final ClasspathSqlLocator SQL = ClasspathSqlLocator.removingComments();

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final boolean postgres;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        this.postgres = dataSource.getJdbcUrl().startsWith("jdbc:postgresql:");
    }

    /** True on PostgreSQL (db.url=jdbc:postgresql://…), false on H2: the few statements that differ ask. */
    public boolean postgres() {
        return postgres;
    }

    /** Opens the database; refuses when its schema is older than this program (run {@code init}). */
    public static Database open(Settings settings) {
        Database db = connect(settings);
        try {
            int pending = db.flyway().info().pending().length;
            if (pending > 0) {
                throw new Problem("the database at " + withoutSecrets(db.dataSource.getJdbcUrl()) + " needs "
                        + pending + " migration(s): run `mailer init` first");
            }
        } catch (FlywayException e) {
            db.close();
            throw new Problem("cannot read the database schema: " + e.getMessage());
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return db;
    }

    /** Creates or migrates the schema; returns the number of migrations applied. */
    public static int init(Settings settings) {
        try (Database db = connect(settings)) {
            if (db.postgres) {
                // V1 says CLOB (H2's name; changing it would break the checksums of existing
                // databases). On PostgreSQL that name is a domain over TEXT, kept in a schema of its
                // own (on every connection's search_path) so Flyway still finds the schema empty.
                // BLOB likewise becomes a domain over BYTEA.
                for (String domain : new String[] {"clob AS TEXT", "blob AS BYTEA"}) {
                    db.jdbi.useHandle(h -> h.execute("DO $$ BEGIN CREATE SCHEMA IF NOT EXISTS " + PG_COMPAT_SCHEMA
                            + "; CREATE DOMAIN " + PG_COMPAT_SCHEMA + "." + domain
                            + "; EXCEPTION WHEN duplicate_object THEN NULL; END $$"));
                }
            }
            return db.flyway().migrate().migrationsExecuted;
        } catch (FlywayException e) {
            throw new Problem("migrating the database failed: " + e.getMessage());
        }
    }

    private static Database connect(Settings settings) {
        String url = settings.databaseUrl();
        if (url.startsWith("jdbc:h2:file:")) {
            try {
                Files.createDirectories(settings.home());
            } catch (IOException e) {
                throw new Problem("cannot create the data folder " + settings.home() + " (set MAILER_HOME): "
                        + e.getMessage());
            }
        }
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setUsername(settings.string(Setting.DB_USER));
        String password = settings.secretFromFile(Setting.DB_PASSWORD_FILE);
        if (password != null) {
            cfg.setPassword(password);
        }
        cfg.setMaximumPoolSize(Math.max(4, settings.integer(Setting.SMTP_CONNECTIONS, 1, 256) + 2));
        cfg.setPoolName("mailer-db");
        if (url.startsWith("jdbc:postgresql:")) {
            cfg.setConnectionInitSql("SELECT set_config('search_path', current_setting('search_path') || ', "
                    + PG_COMPAT_SCHEMA + "', false)");
        }
        cfg.setInitializationFailTimeout(-1);
        try {
            return new Database(new HikariDataSource(cfg));
        } catch (RuntimeException e) {
            throw new Problem("cannot open the database " + withoutSecrets(url) + ": " + rootMessage(e)
                    + (url.startsWith("jdbc:h2:file:") ? " (is another mailer process using it?)" : ""));
        }
    }

    private Flyway flyway() {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load();
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** Named SQL: {@code sql("outbox.snapshot")} is {@code queries/outbox/snapshot.sql}. */
    public static String sql(String name) {
        return SQL.locate("queries." + name);
    }

    /** A JDBC URL for messages: parameters (which may hold a password) cut off. */
    public static String withoutSecrets(String url) {
        return url.replaceAll("[;?].*", "");
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage();
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
