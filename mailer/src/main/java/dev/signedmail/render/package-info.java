/**
 * Turns a press release into the e-mail body each subscriber gets: one HTML part and one plain-text
 * part, from the Thymeleaf templates in {@code templates/} (overridable with MAILER_TEMPLATES).
 * Rendering is strict: a broken template or an unknown variable stops the send with a {@link
 * dev.signedmail.render.RenderException} naming the template and the line.
 */
package dev.signedmail.render;
