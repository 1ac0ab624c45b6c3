/** The demo: the whole pipeline on embedded defaults (loopback SMTP, temporary H2, demo keys). */
package dev.signedmail.demo;
