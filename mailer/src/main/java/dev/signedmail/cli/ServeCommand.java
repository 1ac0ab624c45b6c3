package dev.signedmail.cli;

import dev.signedmail.MailerRuntime;
import dev.signedmail.web.WebServer;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the HTTP server (one-click unsubscribe, preferences, health) until stopped.")
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Override
    public Integer call() throws InterruptedException {
        MailerRuntime rt = MailerRuntime.open(main.settings());
        WebServer server = WebServer.start(rt);
        System.out.println("serving on port " + server.port() + " (Ctrl-C to stop)");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            rt.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
