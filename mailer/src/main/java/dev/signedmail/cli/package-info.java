/** The command line (picocli): thin commands that parse, call a service and print. */
package dev.signedmail.cli;
