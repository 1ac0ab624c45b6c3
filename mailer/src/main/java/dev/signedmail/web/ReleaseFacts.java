package dev.signedmail.web;

import dev.signedmail.approval.ReleaseState;
import dev.signedmail.release.Release;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One release as the web side shows it: content, workflow state with names instead of ids, the
 * content hash an approval would bind to now, and the delivery counts.
 */
record ReleaseFacts(Release release, ReleaseState state, String author, List<String> editors, String approvedBy,
                    String confirmedBy, String currentHash, Map<String, Integer> outbox) {

    static ReleaseFacts load(OfficeServices s, long id) {
        Release r = s.releases().find(id).orElseThrow(() -> HttpError.notFound("there is no release " + id));
        ReleaseState st = s.workflow().state(id);
        List<String> editors = s.workflow().editorsOf(id).stream().map(o -> name(s, o)).sorted().toList();
        return new ReleaseFacts(r, st, name(s, st.authorId()), editors, name(s, st.approvedBy()), name(s, st.confirmedBy()),
                s.workflow().contentHash(r, st.retractsId()), s.outbox().counts(id));
    }

    private static String name(OfficeServices s, Long operatorId) {
        return operatorId == null ? null : s.operators().byId(operatorId).map(o -> o.name()).orElse("#" + operatorId);
    }

    /** Whether the approval on record still covers the content as it is now. */
    public boolean approvalCurrent() {
        return state.approvedHash() != null && state.approvedHash().equals(currentHash);
    }

    /** Whether {@code operatorName} wrote or edited it (and so may not approve or confirm it). */
    boolean wroteOrEdited(String operatorName) {
        return operatorName.equals(author) || editors.contains(operatorName);
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", release.id());
        m.put("status", release.status());
        m.put("title", release.title());
        m.put("summary", release.summary());
        m.put("body", release.bodyMarkdown());
        m.put("link", release.link());
        m.put("topic", release.topic());
        m.put("sharedBody", release.sharedBody());
        m.put("createdAt", release.createdAt().toString());
        m.put("author", author);
        m.put("editors", editors);
        m.put("contentHash", currentHash);
        m.put("approvedBy", approvedBy);
        m.put("approvedHash", state.approvedHash());
        m.put("approvedAt", str(state.approvedAt()));
        m.put("scheduledAt", str(state.scheduledAt()));
        m.put("heldReason", state.heldReason());
        m.put("confirmedBy", confirmedBy);
        m.put("retracts", state.retractsId());
        m.put("outbox", outbox);
        return m;
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

}
