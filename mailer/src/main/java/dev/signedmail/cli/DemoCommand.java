package dev.signedmail.cli;

import dev.signedmail.demo.Demo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole pipeline on embedded defaults: loopback SMTP server, temporary database,",
                "demo keys, sample subscribers and release. Writes every delivered message to DIR as .eml."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Override
    public Integer call() throws Exception {
        Demo.run(out, System.out);
        return 0;
    }
}
