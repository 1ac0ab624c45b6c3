package dev.signedmail.cli;

import dev.signedmail.outbox.Outcome;
import dev.signedmail.send.SendListener;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar on a terminal; silent when output goes to a file or pipe (cron, CI). */
final class ProgressListener implements SendListener, AutoCloseable {
    private final String task;
    private ProgressBar bar;

    ProgressListener(String task) {
        this.task = task;
    }

    @Override
    public synchronized void started(long toDeliver) {
        if (System.console() != null && toDeliver > 0) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(toDeliver)
                    .setStyle(ProgressBarStyle.ASCII).setUnit(" msg", 1).showSpeed().build();
        }
    }

    @Override
    public void delivered(String recipient, Outcome outcome) {
        ProgressBar b = bar;
        if (b != null) {
            b.step();
        }
    }

    @Override
    public synchronized void finished() {
        close();
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
