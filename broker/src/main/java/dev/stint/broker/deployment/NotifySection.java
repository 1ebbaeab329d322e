package dev.stint.broker.deployment;

import dev.stint.broker.yaml.YamlNodes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads a deployment file's {@code notify}: the webhooks approval requests and decisions are
 * posted to (see {@link NotifySettings}). A url is never repeated in a message: it may hold a
 * credential.
 */
final class NotifySection {

    private static final String NOTIFY = "notify";
    private static final String WEBHOOKS = "notify.webhooks";
    private static final Set<String> WEBHOOK_KEYS = Set.of("url", "format", "secret_file", "secret_env");
    private static final DeploymentValues.SecretKeys SECRET = new DeploymentValues.SecretKeys(
            "secret", "secret_file", "secret_env", Secrets.Kind.WEBHOOK_SECRET);

    private final DeploymentValues values;
    private final YamlNodes<DeploymentFileException> nodes;

    NotifySection(DeploymentValues values) {
        this.values = values;
        this.nodes = values.nodes();
    }

    NotifySettings read(Node notify) throws DeploymentFileException {
        values.refuseEmpty(notify, NOTIFY, "must list webhooks; leave 'notify' out for no notifications");
        Node list = nodes.required(nodes.mapping(notify, NOTIFY, Set.of("webhooks")), "webhooks",
                nodes.keyAt(notify), NOTIFY);
        if (!(list instanceof SequenceNode sequence)) {
            throw nodes.error(DeploymentValues.isNull(list) ? nodes.keyAt(list) : list, WEBHOOKS, "must be a list");
        }
        if (sequence.getValue().size() > NotifySettings.MAX_WEBHOOKS) {
            throw nodes.error(list, WEBHOOKS, "at most " + NotifySettings.MAX_WEBHOOKS + " webhooks");
        }
        List<NotifySettings.Webhook> webhooks = new ArrayList<>();
        Set<String> urls = new HashSet<>();
        for (Node item : sequence.getValue()) {
            NotifySettings.Webhook webhook = webhook(item);
            if (!urls.add(webhook.url())) {
                throw nodes.error(item, WEBHOOKS, "this url is listed twice");
            }
            webhooks.add(webhook);
        }
        return new NotifySettings(webhooks);
    }

    private NotifySettings.Webhook webhook(Node item) throws DeploymentFileException {
        Map<String, Node> fields = nodes.mapping(item, WEBHOOKS, null);
        values.refuseInline(fields, WEBHOOKS, SECRET);
        nodes.allowOnly(fields, WEBHOOKS, WEBHOOK_KEYS);
        String url = values.checked(fields, "url", item, WEBHOOKS, text -> {
            String refusal = NotifySettings.refusal(text);
            if (refusal != null) {
                throw new IllegalArgumentException(refusal);
            }
        });
        NotifySettings.Format format = values.value(nodes.required(fields, "format", item, WEBHOOKS),
                WEBHOOKS + ".format", NotifySettings.Format::parse);
        Optional<String> secret = fields.containsKey("secret_file") || fields.containsKey("secret_env")
                ? Optional.of(values.secret(fields, item, WEBHOOKS, SECRET)) : Optional.empty();
        return new NotifySettings.Webhook(url, format, secret);
    }
}
