# The real gcloud CLI, loaded once and run for many command lines in one process (GcloudContractTests): what
# lib/gcloud.py and gcloud_main.main() do for one command (the CLI of every installed surface, the credential
# providers' context), for each JSON argument list read from standard input, one per line. Answers one JSON line per
# command on standard output: {"exit": N, "output": "what the command printed on stdout and stderr"}.
# A process per command costs about 1.7 s of CPU for the CLI's loading; in one process the 60-odd lines of the golden
# plans take about 3 s in all.
#   python3 -S gcloud_parse.py <Cloud SDK root>
import json
import os
import sys
import tempfile

sdk_root = sys.argv[1]
sys.path[0:0] = [os.path.join(sdk_root, "lib", "third_party"), os.path.join(sdk_root, "lib")]

from googlecloudsdk import gcloud_main  # noqa: E402
from googlecloudsdk.core.credentials import creds_context_managers  # noqa: E402

# The protocol's own streams, kept apart from the command's, which go to a file per command (fd 1 and 2: gcloud's log
# writer holds the stderr it found at start, so redirecting sys.stderr alone would miss its messages).
answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
cli = gcloud_main.CreateCLI([])

for request in requests:
    arguments = json.loads(request)
    with tempfile.TemporaryFile() as capture:
        sys.stdout.flush()
        sys.stderr.flush()
        saved = (os.dup(1), os.dup(2))
        os.dup2(capture.fileno(), 1)
        os.dup2(capture.fileno(), 2)
        code = 0
        try:
            with creds_context_managers.CredentialProvidersManager(None):
                cli.Execute(arguments)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except BaseException as error:  # noqa: BLE001 - a crash is an answer too (exit 1 and its text)
            code = 1
            print("{}: {}".format(type(error).__name__, error), file=sys.stderr)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
        capture.seek(0)
        output = capture.read().decode("utf-8", "replace")
    answers.write(json.dumps({"exit": code, "output": output}) + "\n")
    answers.flush()
