#!/usr/bin/python3
"""End-to-end test through the accessibility tree (dogtail): start DiMViDA
Studio, check that every control has an accessible name (read once), switch pages by
clicking the view switcher and with Alt+1..3, play and pause the Playground
with Space (its step counter advances, then stops), turn compare mode on and
off with its toggle, swap A and B (their titles change places), hide and show its
settings with F9 (and only there), generate the missing views on the Views
page with tiny weights (the step count reaches its end, PSNR shows, the
timeline can be scrubbed; Ctrl+Return runs it again; the latent map and the
variations' rows are there; Generate becomes Cancel while RePaint runs and
cancels it; Ctrl+O imports an OBJ model, Turn picks another front and +Z
renders it again; Ctrl+O with the dialog's choice puts a single image in the
Right view), read the Votes page's verdict with tiny classifiers that vote
"chair", click a cell of its confusion matrix and move to another with the
keys (the objects listed are the cell's count), open About and Preferences from the primary menu and close them,
quit with Ctrl+Q.

Run by tests/gui/run-e2e.sh, which provides Xvfb, a session bus and the
accessibility bus; DV_E2E_APP names the binary."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

from dogtail.config import config

config.checkForA11y = False  # run-e2e.sh has switched it on
config.searchCutoffCount = 20
config.searchBackoffDuration = 0.25
config.actionDelay = 0.3
config.typingDelay = 0.05
config.logDebugToFile = False
config.logDebugToStdOut = False

import pyatspi  # noqa: E402
from dogtail import rawinput  # noqa: E402
from dogtail.predicate import GenericPredicate  # noqa: E402
from dogtail.tree import root  # noqa: E402

APP = os.environ["DV_E2E_APP"]
CONTROL_ROLES = {"push button", "toggle button", "check box", "radio button", "combo box", "spin button",
                 "slider", "page tab", "menu item", "text", "switch"}


def step(message):
    print(f"# {message}", flush=True)


def wait_until(condition, what, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception:  # nodes come and go while windows open and close
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def find(node, name, role):
    """A descendant with this name and role, or None."""
    for found in node.findChildren(GenericPredicate(name=name, roleName=role), showingOnly=False):
        return found
    return None


def tab_selected(window, tab):
    return window.child(name=tab, roleName="page tab").getState().contains(pyatspi.STATE_SELECTED)


def read_twice(name):
    """GTK 4.8 joins an accessible label to the label that names a widget
    (a row's title, a mnemonic): "Seed Seed", "Open Images Open Images…"."""
    return any(name[i] == " " and name[i + 1:].lstrip("_").startswith(name[:i].lstrip("_"))
               for i in range(3, len(name) - 1))


def check_names(window):
    controls = window.findChildren(lambda node: node.roleName in CONTROL_ROLES)
    assert len(controls) >= 5, f"only {len(controls)} controls found"
    # GTK 4.8 falls back to a type name ("GtkImage") for an icon-only button.
    unnamed = [f"{node.roleName} {node.name!r}" for node in controls
               if not node.name.strip() or re.fullmatch(r"(Gtk|Adw|Dv)[A-Z]\w*", node.name)]
    assert not unnamed, f"controls without an accessible name: {unnamed}"
    twice = [f"{node.roleName} {node.name!r}" for node in controls if read_twice(node.name)]
    assert not twice, f"controls whose name is read twice: {twice}"


def pressed(button):
    return button.getState().contains(pyatspi.STATE_PRESSED)


def frames(app):
    return [child.name for child in app.children if child.roleName == "frame"]


def scatter(window, prefix):
    """The scatter plot whose accessible name (its title) starts with prefix."""
    for node in window.findChildren(lambda n: n.roleName == "image" and n.name.startswith(prefix),
                                    showingOnly=False):
        return node
    return None


def step_of(plot):
    """The step counter of a scatter plot's caption (its accessible description)."""
    m = re.search(r"step (\d+) / \d+", plot.description)
    return int(m.group(1)) if m else None


# Under the sanitizers (DV_E2E_SLOW=1, set by tests/meson.build) a chunk of
# training steps in flight when Pause arrives can take longer than a second.
SETTLE_SECONDS = 3.0 if os.environ.get("DV_E2E_SLOW") == "1" else 1.0


def settled_step(plot, timeout=20.0):
    """The step counter once it has stopped moving for SETTLE_SECONDS (a second)."""
    deadline = time.monotonic() + timeout
    last = step_of(plot)
    while time.monotonic() < deadline:
        time.sleep(SETTLE_SECONDS)
        now = step_of(plot)
        if now is not None and now == last:
            return now
        last = now
    raise AssertionError(f"the step counter kept moving: {last}")


def has_focus(node):
    """Whether node or a widget inside it (a menu button's button) has the keyboard focus."""
    return node.getState().contains(pyatspi.STATE_FOCUSED) or any(
        child.getState().contains(pyatspi.STATE_FOCUSED) for child in node.children)


def focus_by_tab(node, name, limit=80):
    """Moves the keyboard focus onto node with Tab, as a user would (GTK 4.8
    does not implement the accessible grabFocus)."""
    for _ in range(limit):
        if has_focus(node):
            return
        rawinput.pressKey("Tab")
        time.sleep(0.15)
    raise AssertionError(f"Tab never reached {name}")


def toggle(node):
    """Activates a switch through its accessible action (it may be scrolled out of view)."""
    for name in ("toggle", "activate", "click", "press"):
        if name in node.actions:
            node.doActionNamed(name)
            return
    node.click()


def write_png(path, width, height):
    """A plain RGB PNG of one colour (no imaging library needed)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    rows = b"".join(b"\0" + bytes((200, 60, 40)) * width for _ in range(height))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def cell_of(matrix):
    """(true, predicted, count) of the matrix's selected cell, from its accessible description."""
    m = re.match(r"Selected: True: (\w+), predicted: (\w+) — (\d+) objects?$", matrix.description)
    return (m.group(1), m.group(2), int(m.group(3))) if m else None


def listed_objects(window, truth, predicted):
    """The objects listed below the matrix: "Airplane #3, front view: predicted Bench on e, … on ea"."""
    return window.findChildren(lambda n: n.name.startswith(f"{truth} #")
                               and f"predicted {predicted} on e," in n.name, showingOnly=False)


def check_confusion_matrix(window):
    # The tiny classifiers' evaluation.json (dv-tiny-votes-weights): 6 objects per class; ResNet-18 Ω_s on e
    # takes objects 0, 2 and 4 of each class for the next class.
    step("the confusion matrix: a click on a cell lists its objects")
    matrix = next(iter(window.findChildren(
        lambda n: n.name.startswith("Confusion matrix of ResNet-18 Ω_s on split e") and n.roleName != "label",
        showingOnly=False)), None)
    assert matrix is not None, "no confusion matrix"
    # Into view with the mouse wheel (X button 5), as a user scrolls (GTK 4.8 has no AT-SPI GrabFocus).
    wx, wy = window.position
    ww, wh = window.size
    for _ in range(60):
        if matrix.position[1] + matrix.size[1] < wy + wh - 10:
            break
        rawinput.click(wx + ww // 2, wy + wh // 2, button=5)
        time.sleep(0.1)
    time.sleep(0.5)
    x, y = matrix.position
    width, height = matrix.size
    rawinput.click(x + width // 2, y + height // 2)
    wait_until(lambda: cell_of(matrix) is not None, "a selected cell")
    truth, predicted, count = cell_of(matrix)
    step(f"clicked: true {truth}, predicted {predicted}, {count} objects")
    wait_until(lambda: len(listed_objects(window, truth, predicted)) == count, f"{count} objects listed")
    step("the keys: Home, then Right to the diagonal, Enter lists that cell's objects")
    rawinput.pressKey("Home")
    names = ["Airplane", "Bench", "Cabinet", "Car", "Chair", "Display", "Lamp", "Loudspeaker", "Rifle", "Sofa",
             "Table", "Telephone", "Watercraft"]
    for _ in range(names.index(truth)):
        rawinput.pressKey("Right")
    rawinput.pressKey("Return")
    wait_until(lambda: cell_of(matrix) == (truth, truth, 3), f"the diagonal cell of {truth} with 3 objects")
    wait_until(lambda: len(listed_objects(window, truth, truth)) == 3, "its 3 objects listed")
    assert find(window, f"True: {truth}, predicted: {truth} on split e — 3 objects", "label") is not None


def main():
    # Criticals abort the app, as in the other GUI tests.
    env = dict(os.environ, GSETTINGS_BACKEND="memory", LANGUAGE="C", LC_ALL="C.UTF-8", G_DEBUG="fatal-criticals")
    # Random view weights of the shipped sizes, so that the Views page can generate (noise-like views) and a
    # long run lasts long enough to be cancelled by a click.
    weights = tempfile.mkdtemp(prefix="dv-e2e-weights-")
    subprocess.run([os.environ["DV_E2E_TINY_WEIGHTS"], weights, "--full-size"], check=True)
    env["DIMVIDA_VIEWS_WEIGHTS"] = weights
    # Tiny classifiers that all vote "chair", so that the Votes page has a verdict to read.
    votes_weights = os.path.join(weights, "votes")
    subprocess.run([os.environ["DV_E2E_TINY_VOTES_WEIGHTS"], votes_weights, "chair", weights], check=True)
    env["DIMVIDA_VOTES_WEIGHTS"] = votes_weights
    proc = subprocess.Popen([APP], env=env)
    try:
        run(proc)
    except BaseException:
        traceback.print_exc(file=sys.stdout)  # dogtail hides stderr tracebacks
        proc.kill()
        proc.wait()
        sys.exit(1)
    status = proc.wait(timeout=15)
    shutil.rmtree(weights, ignore_errors=True)
    assert status == 0, f"the app exited with status {status}"
    step("quit cleanly")


def run(proc):
    step("starting the app")
    app = None
    deadline = time.monotonic() + 30
    while app is None and time.monotonic() < deadline:
        for candidate in root.applications():
            if candidate.name in ("dimvida-studio", "DiMViDA Studio"):
                app = candidate
        time.sleep(0.3)
    assert app is not None, "the app did not appear on the accessibility bus"
    wait_until(lambda: "DiMViDA Studio" in frames(app), "the main window")
    window = app.child(name="DiMViDA Studio", roleName="frame")

    step("every control has an accessible name, read once")
    check_names(window)

    # Pages, by clicking the view switcher as a user does.
    # (GTK 4.8 reports every page's widgets as visible, so the selected tab,
    # which follows the stack's visible page, is what shows the switch.)
    for tab in ("Votes", "Playground", "Views"):
        step(f"clicking the {tab} tab")
        window.child(name=tab, roleName="page tab").click()
        wait_until(lambda: tab_selected(window, tab), f"the {tab} tab to be selected")

    # Pages, by keyboard.
    step("Alt+2 shows the Votes page")
    rawinput.keyCombo("<Alt>2")
    wait_until(lambda: tab_selected(window, "Votes"), "Alt+2")
    step("Alt+3 shows the Playground page")
    rawinput.keyCombo("<Alt>3")
    wait_until(lambda: tab_selected(window, "Playground"), "Alt+3")
    # Space plays and pauses, even with the focus on a view switcher tab.
    step("Space starts and pauses training on the Playground")
    # The page opens on the shipped trained model at its last step: Reset
    # starts a fresh run that Space can train.
    wait_until(lambda: find(window, "Reset", "push button") is not None, "the Reset button")
    find(window, "Reset", "push button").doActionNamed("click")
    window.child(name="Playground", roleName="page tab").click()
    wait_until(lambda: tab_selected(window, "Playground"), "the Playground tab to be selected")
    wait_until(lambda: find(window, "Play", "push button") is not None, "the Play button")
    wait_until(lambda: scatter(window, "Samples") is not None, "the scatter plot")
    plot = scatter(window, "Samples")
    wait_until(lambda: step_of(plot) == 0, "the fresh run at step 0")
    rawinput.pressKey("space")
    wait_until(lambda: find(window, "Pause", "push button") is not None, "Space to start training")
    step("the step counter advances while training")
    wait_until(lambda: (step_of(plot) or 0) >= 20, "the step counter to reach 20", timeout=60)
    rawinput.pressKey("space")
    wait_until(lambda: find(window, "Play", "push button") is not None, "Space to pause training")
    stopped = settled_step(plot)
    time.sleep(1.5)
    assert step_of(plot) == stopped, f"paused at step {stopped}, the counter went on to {step_of(plot)}"
    step(f"paused at step {stopped}")
    # Ctrl+→ trains one step wherever the focus is: a focused toolbar button
    # must not take it as "move the focus right" (issue 17, item 8).
    single_step_button = find(window, "Single step", "push button")
    for name in ("Settings", "Play", "Single step", "Reset", "Load trained model", "Compare A | B", "Export",
                 "Denoising field", "Reverse process", "Trails"):
        # Searched from the Playground's own toolbar outwards: the Views page, hidden
        # behind this one, has an Export button too.
        is_button = (lambda n, name=name: n.name == name and n.roleName in (
            "push button", "toggle button", "menu button", "check box"))
        scope, button = single_step_button, None
        while scope is not None and button is None:
            button = next(iter(scope.findChildren(is_button)), None)
            scope = scope.parent
        assert button is not None, f"no {name} button in the toolbar"
        focus_by_tab(button, name)
        before = step_of(plot)
        rawinput.keyCombo("<Control>Right")
        wait_until(lambda: (step_of(plot) or 0) == before + 1,
                   f"Ctrl+Right with the focus on {name} to train one step (at {step_of(plot)}, was {before})")
        assert has_focus(button), f"Ctrl+Right moved the focus off {name}"
    stopped = step_of(plot)
    step(f"Ctrl+Right stepped with the focus on each toolbar and view-bar button, now at step {stopped}")
    # Compare: the toggle turns on B, and with it the buttons that only make sense then.
    step("clicking Compare A | B enables Copy A to B and Swap, clicking it again disables them")

    def sensitive(name):
        button = find(window, name, "push button")
        assert button is not None, f"no {name} button"
        return button.getState().contains(pyatspi.STATE_SENSITIVE)

    assert not sensitive("Copy A to B") and not sensitive("Swap A and B"), "Copy and Swap enabled without B"
    # (GTK 4.8 gives a toggle button the push button role.)
    compare = find(window, "Compare A | B", "push button")
    assert compare is not None, "no Compare A | B button"
    assert not pressed(compare), "Compare A | B pressed from the start"
    compare.click()
    wait_until(lambda: pressed(compare) and sensitive("Copy A to B") and sensitive("Swap A and B"),
               "Copy A to B and Swap A and B to be enabled")
    # Swap exchanges the runs with their settings: give B a discriminator
    # first, so that the two plots' titles differ.
    step("Swap A and B exchanges the runs")
    wait_until(lambda: scatter(window, "A ·") is not None and scatter(window, "B ·") is not None, "plots A and B")
    plot_a, plot_b = scatter(window, "A ·"), scatter(window, "B ·")
    edit_b = find(window, "Edit run B", "push button")
    assert edit_b is not None, "no Edit run B button"
    edit_b.doActionNamed("click")
    wait_until(lambda: pressed(edit_b), "Edit run B to be selected")
    # (GTK 4.8 gives a switch the toggle button role.)
    gan = next(iter(window.findChildren(
        lambda n: n.name == "Discriminator" and n.roleName in ("switch", "toggle button", "check box"),
        showingOnly=False)), None)
    assert gan is not None, "no Discriminator switch: " + repr(
        [(n.roleName, n.name) for n in window.findChildren(lambda n: "Discriminator" in n.name, showingOnly=False)])
    toggle(gan)
    wait_until(lambda: "GAN" in plot_b.name and "GAN" not in plot_a.name, "B's title to show its discriminator")
    find(window, "Swap A and B", "push button").click()
    wait_until(lambda: "GAN" in plot_a.name and "GAN" not in plot_b.name,
               f"Swap to move the discriminator to A (A: {plot_a.name!r}, B: {plot_b.name!r})")
    compare.click()
    wait_until(lambda: not pressed(compare) and not sensitive("Copy A to B") and not sensitive("Swap A and B"),
               "Copy A to B and Swap A and B to be disabled")
    step("F9 hides and shows the Playground's settings")
    settings = find(window, "Settings", "push button")
    assert settings is not None, "no Settings button"
    assert pressed(settings), "the settings start hidden"
    rawinput.pressKey("F9")
    wait_until(lambda: not pressed(settings), "F9 to hide the settings")
    rawinput.pressKey("F9")
    wait_until(lambda: pressed(settings), "F9 to show the settings")
    step("Alt+1 shows the Views page")
    rawinput.keyCombo("<Alt>1")
    wait_until(lambda: tab_selected(window, "Views"), "Alt+1")
    step("F9 does nothing on the Views page")
    rawinput.pressKey("F9")
    time.sleep(1)
    assert pressed(settings), "F9 on the Views page hid the Playground's settings"

    # The Views page opens on a sample, front given: set the steps, Generate, watch it end.
    step("Generate on the Views page runs the sampler to its last step")
    steps = find(window, "Steps", "spin button")
    assert steps is not None, "no Steps spin button"
    steps.value = 12
    wait_until(lambda: steps.value == 12, "the steps to be 12")
    generate = find(window, "Generate", "push button")
    assert generate is not None, "no Generate button"
    assert generate.getState().contains(pyatspi.STATE_SENSITIVE), "Generate is disabled with weights there"
    generate.doActionNamed("click")
    wait_until(lambda: find(window, "Step 12 of 12 · t = 0.001", "label") is not None, "the last step", timeout=60)
    wait_until(lambda: next(iter(window.findChildren(lambda n: n.roleName == "label" and n.name.startswith("PSNR "),
                                                     showingOnly=False)), None) is not None,
               "PSNR under a generated view")
    step("the timeline scrubs back to step 0")
    timeline = find(window, "Timeline", "slider")
    assert timeline is not None, "no Timeline slider"
    timeline.value = 0
    wait_until(lambda: find(window, "Step 0 of 12", "label") is not None, "the first step after scrubbing")
    step("Ctrl+Return generates again")
    assert find(window, "Step 12 of 12 · t = 0.001", "label") is None, "still at the last step after scrubbing"
    rawinput.keyCombo("<Control>Return")
    wait_until(lambda: find(window, "Step 12 of 12 · t = 0.001", "label") is not None, "Ctrl+Return's run to end",
               timeout=60)

    # The Votes page votes on those views: the real front and the 3 generated ones.
    step("the Votes page reads a verdict on the real and generated views")
    rawinput.keyCombo("<Alt>2")
    wait_until(lambda: tab_selected(window, "Votes"), "Alt+2")
    wait_until(lambda: find(window, "Mean of 4 views", "label") is not None, "the mean of the 4 views' votes",
               timeout=30)
    wait_until(lambda: next(iter(window.findChildren(
        lambda n: n.roleName == "label" and n.name.startswith("Verdict: Chair"), showingOnly=False)), None)
        is not None, "the verdict")
    assert find(window, "True class: Chair — the vote is right", "label") is not None, "no true class"
    check_confusion_matrix(window)
    step("back to the Views page")
    rawinput.keyCombo("<Alt>1")
    wait_until(lambda: tab_selected(window, "Views"), "Alt+1")

    step("the latent map and three variations' rows are there after the run")
    assert next(iter(window.findChildren(lambda n: n.roleName == "image" and n.name == "Latent map",
                                         showingOnly=False)), None) is not None, "no latent map"
    for k in (1, 2, 3):
        name = f"Variation {k}, Back view: generated"
        wait_until(lambda: next(iter(window.findChildren(lambda n: n.name == name, showingOnly=False)), None)
                   is not None, f"the picture {name!r}")

    step("Generate turns into Cancel while RePaint runs, and Cancel stops it")
    sampler = next(iter(window.findChildren(lambda n: n.name == "Sampler" and n.roleName in CONTROL_ROLES,
                                            showingOnly=False)), None)
    assert sampler is not None, "no Sampler control"
    sampler.click()

    def repaint_items():
        return app.findChildren(lambda n: n.name == "RePaint" and n.roleName in ("label", "list item", "menu item"),
                                showingOnly=False)
    wait_until(lambda: repaint_items(), "the RePaint item")
    time.sleep(1)
    # The list has the focus on the sampler chosen (the first): down twice to the third, RePaint.
    for key in ("Down", "Down", "Return"):
        rawinput.pressKey(key)
        time.sleep(0.3)
    wait_until(lambda: find(window, "Euler–Maruyama that now and then jumps back and re-noises, so that the missing "
                                    "views agree better with the given ones (slower).", "label") is not None,
               "RePaint's explanation")
    steps.value = 1000
    wait_until(lambda: steps.value == 1000, "the steps to be 1000")
    # The same button, renamed (other pages have hidden Cancel buttons of their own).
    button = find(window, "Generate", "push button")
    button.doActionNamed("click")
    wait_until(lambda: button.name == "Cancel", "the Generate button to become Cancel")
    assert find(window, "Generate", "push button") is None, "Generate still shown while running"
    button.doActionNamed("click")
    try:
        wait_until(lambda: find(window, "Cancelled", "label") is not None, "the run to be cancelled", timeout=30)
    except AssertionError:
        print("# labels:", [n.name for n in window.findChildren(
            lambda n: n.roleName == "label" and ("Step" in n.name or "ancel" in n.name), showingOnly=False)],
            "button:", button.name, button.getState().contains(pyatspi.STATE_SENSITIVE), button.actions, flush=True)
        raise
    wait_until(lambda: button.name == "Generate", "Generate back in its place")
    steps.value = 12

    step("Ctrl+O imports an OBJ model, rendered into the four views; Turn picks another front")
    model = os.path.join(tempfile.mkdtemp(prefix="dv-e2e-obj-"), "long-box.obj")
    with open(model, "w") as f:
        f.write("v -0.3 0 -1\nv 0.3 0 -1\nv -0.3 0.4 -1\nv 0.3 0.4 -1\n"
                "v -0.3 0 1\nv 0.3 0 1\nv -0.3 0.4 1\nv 0.3 0.4 1\n"
                "f 1 3 4 2\nf 5 6 8 7\nf 1 2 6 5\nf 3 7 8 4\nf 1 5 7 3\nf 2 4 8 6\n")
    rawinput.keyCombo("<Control>o")
    wait_until(lambda: any(n.name == "Open Images or a Model" for n in app.children), "the Open dialog")
    time.sleep(1)
    rawinput.typeText(model)
    time.sleep(0.5)
    rawinput.pressKey("Return")
    wait_until(lambda: find(window, "long-box.obj", "label") is not None, "the model's name as the title",
               timeout=30)
    wait_until(lambda: find(window, "Front as in the file", "label") is not None, "the model's orientation")
    window.findChildren(lambda n: n.name == "Turn the Model" and n.roleName == "push button",
                        showingOnly=False)[0].doActionNamed("click")
    wait_until(lambda: find(window, "Turned 90°", "label") is not None, "the turned model")
    up_z = [n for n in window.findChildren(lambda n: "+Z" in n.name, showingOnly=False)]
    assert [n.name for n in up_z if n.roleName in CONTROL_ROLES] == ["Up axis +Z"], \
        f"the +Z up toggle: {[(n.roleName, n.name) for n in up_z]}"
    step("+Z up renders the model again")
    button = next(n for n in up_z if n.roleName in CONTROL_ROLES)
    button.doActionNamed("click")
    wait_until(lambda: button.getState().contains(pyatspi.STATE_CHECKED)
               or button.getState().contains(pyatspi.STATE_PRESSED), "+Z up to be chosen")

    step("Ctrl+O with the dialog's choice puts a single image in the Right view")
    image = os.path.join(os.path.dirname(model), "chosen.png")
    write_png(image, 64, 64)
    # (GTK 4.8 reports the slot's toggle as a push button.)
    assert [n.name for n in window.findChildren(lambda n: n.name.startswith("Right view"), showingOnly=False)] \
        == ["Right view: To be generated"], "the Right view is given before the image is opened"
    rawinput.keyCombo("<Control>o")
    wait_until(lambda: any(n.name == "Open Images or a Model" for n in app.children), "the Open dialog")
    dialog = next(n for n in app.children if n.name == "Open Images or a Model")
    label = next(iter(dialog.findChildren(lambda n: n.name == "A single image is the view", showingOnly=False)))
    choice = next(n for n in label.parent.children if n.name != label.name)
    choice.click()
    time.sleep(1)
    # The list has the focus on the choice made (the next view not given): down twice to Right.
    for key in ("Down", "Down", "Return"):
        rawinput.pressKey(key)
        time.sleep(0.3)
    time.sleep(0.5)
    rawinput.typeText(image)
    time.sleep(0.5)
    rawinput.pressKey("Return")
    wait_until(lambda: any(n.name == "Right view: Given" for n in window.findChildren(
        lambda n: n.name.startswith("Right view"), showingOnly=False)), "the image in the Right view", timeout=30)
    wait_until(lambda: find(window, "2 views given, 2 to be generated", "label") is not None, "two views given")
    shutil.rmtree(os.path.dirname(model), ignore_errors=True)

    # The primary menu: About, then Preferences.
    for item, frame in (("About DiMViDA Studio", "About"), ("Preferences", "Preferences")):
        step(f"opening {item} from the primary menu")
        window.child(name="Main Menu").click()
        wait_until(lambda: find(app, item, "menu item") is not None, f"the {item} menu item")
        find(app, item, "menu item").doActionNamed("click")
        wait_until(lambda: frame in frames(app), f"the {frame} window")
        if frame == "About":
            about = app.child(name="About", roleName="frame")
            wait_until(lambda: find(about, "0.1.0", "push button") is not None
                       or find(about, "0.1.0", "label") is not None, "the version in About")
        else:
            prefs = app.child(name="Preferences", roleName="frame")
            wait_until(lambda: find(prefs, "Style", "label") is not None, "the Style row")
            step("every control of Preferences has an accessible name, read once")
            check_names(prefs)
        step(f"closing {frame} with Escape")
        rawinput.pressKey("Escape")
        wait_until(lambda: frame not in frames(app), f"the {frame} window to close")

    step("Ctrl+Q quits")
    rawinput.keyCombo("<Control>q")
    wait_until(lambda: proc.poll() is not None, "the app to exit")


if __name__ == "__main__":
    main()
    sys.exit(0)
