//! `extract` over a small synthetic Asterisk source tree, read back with the
//! upstream readers.

use asterisk_codegen::extract::extract;
use asterisk_codegen::manifest::Snapshot;
use asterisk_codegen::upstream::{amixml, read_release};
use std::path::{Path, PathBuf};

/// A fresh, unique scratch folder, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(label: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!(
            "asterisk-codegen-{label}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn put(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
    }
    std::fs::write(&p, text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
}

const MANAGER_C: &str = r#"/*
 * the core
 */
#include "asterisk.h"

/*** DOCUMENTATION
	<manager name="Login" language="en_US">
		<since><version>0.2.0</version></since>
		<synopsis>Login Manager.</synopsis>
		<syntax>
			<parameter name="ActionID">
				<para>ActionID for this transaction.</para>
			</parameter>
			<parameter name="Username" required="true"/>
			<parameter name="AuthType">
				<enumlist>
					<enum name="plain"/>
					<enum name="MD5"/>
				</enumlist>
			</parameter>
		</syntax>
	</manager>
	<manager name="Status" language="en_US">
		<syntax>
			<xi:include xpointer="xpointer(/docs/manager[@name='Login']/syntax/parameter[@name='ActionID'])" />
			<parameter name="Channel" required="false"/>
		</syntax>
		<responses>
			<list-elements>
				<xi:include xpointer="xpointer(/docs/managerEvent[@name='Status'])" />
			</list-elements>
			<managerEvent language="en_US" name="StatusComplete">
				<managerEventInstance class="EVENT_FLAG_CALL">
					<syntax>
						<parameter name="Items"/>
					</syntax>
				</managerEventInstance>
			</managerEvent>
		</responses>
	</manager>
	<managerEvent language="en_US" name="Status">
		<managerEventInstance class="EVENT_FLAG_CALL">
			<since><version>18.26.0</version></since>
			<syntax>
				<channel_snapshot/>
				<bridge_snapshot prefix="Peer"/>
				<parameter name="Type"/>
			</syntax>
		</managerEventInstance>
	</managerEvent>
 ***/

static int x;

/*** DOCUMENTATION
	<managerEvent language="en_US" name="VarSet">
		<managerEventInstance class="EVENT_FLAG_DIALPLAN">
			<syntax>
				<channel_snapshot/>
				<parameter name="Variable"/>
				<parameter name="Value"/>
			</syntax>
		</managerEventInstance>
	</managerEvent>
 ***/
"#;

const APP_TEST_C: &str = r#"/*** MODULEINFO
	<support_level>extended</support_level>
 ***/

/*** DOCUMENTATION
	<application name="TestApp" language="en_US">
		<synopsis>Does nothing.</synopsis>
	</application>
	<manager name="TestAction" language="en_US">
		<syntax>
			<xi:include xpointer="xpointer(/docs/manager[@name='Login']/syntax/parameter[@name='ActionID'])" />
			<parameter name="Mode" default="fast" multiple="yes"/>
		</syntax>
	</manager>
	<managerEvent language="en_US" name="VarSet">
		<managerEventInstance class="EVENT_FLAG_DIALPLAN">
			<syntax>
				<xi:include xpointer="xpointer(docs/managerEvent[@name='Status']/managerEventInstance/syntax/parameter)" />
			</syntax>
		</managerEventInstance>
	</managerEvent>
 ***/
"#;

const APP_TEST2_CC: &str = r#"/*** DOCUMENTATION
	<manager name="TestAction" language="en_US">
		<syntax>
			<parameter name="Extra" required="yes"/>
		</syntax>
	</manager>
 ***/
"#;

const RES_AGI_C: &str = r#"/*** DOCUMENTATION
	<agi name="stream file" language="en_US">
		<since><version>0.4.0</version></since>
		<syntax>
			<parameter name="filename" required="true"/>
			<parameter name="escape_digits" required="true"/>
			<parameter name="sample offset"/>
		</syntax>
	</agi>
	<agi name="answer" language="en_US"/>
 ***/
"#;

const MODULE_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE docs SYSTEM "appdocsxml.dtd">
<docs>
	<managerEvent language="en_US" name="ModuleXmlEvent">
		<managerEventInstance class="EVENT_FLAG_SYSTEM">
			<syntax>
				<parameter name="Field"/>
			</syntax>
		</managerEventInstance>
	</managerEvent>
</docs>
"#;

const RESOURCES_JSON: &str = r#"{
	"apiVersion": "11.0.0",
	"swaggerVersion": "1.1",
	"basePath": "http://localhost:8088/ari",
	"apis": [
		{ "path": "/api-docs/sounds.{format}", "description": "Sound resources" }
	]
}
"#;

const SOUNDS_JSON: &str = r#"{
	"apiVersion": "2.0.0",
	"swaggerVersion": "1.1",
	"basePath": "http://localhost:8088/ari",
	"resourcePath": "/api-docs/sounds.{format}",
	"since": ["12.0.0"],
	"apis": [
		{
			"path": "/sounds/{soundId}",
			"description": "Individual sound",
			"operations": [
				{
					"httpMethod": "GET",
					"since": ["12.0.0"],
					"summary": "Get a sound's details.",
					"nickname": "get",
					"responseClass": "Sound",
					"parameters": [
						{
							"name": "soundId",
							"paramType": "path",
							"required": true,
							"allowMultiple": false,
							"dataType": "string"
						}
					],
					"errorResponses": [
						{ "code": 404, "reason": "Sound not found" }
					]
				}
			]
		}
	],
	"models": {
		"Sound": {
			"id": "Sound",
			"properties": {
				"id": { "required": true, "type": "string" },
				"text": { "required": false, "type": "string" }
			}
		}
	}
}
"#;

fn build_tree(src: &Path) {
    put(src, "main/manager.c", MANAGER_C);
    put(src, "apps/app_test.c", APP_TEST_C);
    put(src, "apps/sub/app_test2.cc", APP_TEST2_CC);
    put(src, "res/res_agi.c", RES_AGI_C);
    put(src, "res/res_x/res_x_doc.xml", MODULE_XML);
    // Sub-folder XML belongs to the module the folder's Makefile names.
    put(
        src,
        "res/Makefile",
        "$(call MOD_ADD_C,res_x,$(wildcard res_x/*.c))\n",
    );
    put(
        src,
        "res/res_x/not_docs.xml",
        "<config>no dtd here</config>\n",
    );
    put(
        src,
        "utils/ignored.c",
        "/*** DOCUMENTATION\n<manager name=\"Nope\"/>\n ***/\n",
    );
    put(src, "doc/appdocsxml.dtd", "<!ELEMENT docs ANY>\n");
    put(src, "rest-api/resources.json", RESOURCES_JSON);
    put(src, "rest-api/api-docs/sounds.json", SOUNDS_JSON);
}

#[test]
fn extract_builds_a_readable_release_folder() {
    let scratch = Scratch::new("extract");
    let src = scratch.0.join("asterisk");
    let out = scratch.0.join("out");
    build_tree(&src);
    extract(&src, "99.0.0", &out).unwrap_or_else(|e| panic!("extract: {e}"));

    let rel = out.join("99.0.0");
    assert!(rel.join("appdocsxml.dtd").is_file());
    assert!(rel.join("ari/resources.json").is_file());
    assert!(rel.join("ari/sounds.json").is_file());
    let xml = std::fs::read_to_string(rel.join("core-en_US.xml"))
        .unwrap_or_else(|e| panic!("core-en_US.xml: {e}"));
    assert!(xml.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE docs SYSTEM \"appdocsxml.dtd\">"
    ));
    assert!(xml.contains("<docs xmlns:xi=\"http://www.w3.org/2001/XInclude\">"));
    assert!(xml.contains("<module language=\"en_US\" name=\"app_test\">"));
    assert!(xml.contains("<application name=\"TestApp\" language=\"en_US\" module=\"app_test\">"));
    // Documentation of main/ files belongs to module "builtin", as Asterisk's build says.
    assert!(xml.contains("<managerEventInstance class=\"EVENT_FLAG_CALL\" module=\"builtin\">"));
    assert!(!xml.contains("Nope"), "utils/ is not a module folder");
    assert!(!xml.contains("no dtd here"));
    assert!(xml.trim_end().ends_with("</docs>"));

    // Deterministic: a second run gives the same bytes.
    let out2 = scratch.0.join("out2");
    extract(&src, "99.0.0", &out2).unwrap_or_else(|e| panic!("extract: {e}"));
    let xml2 = std::fs::read_to_string(out2.join("99.0.0/core-en_US.xml"))
        .unwrap_or_else(|e| panic!("core-en_US.xml: {e}"));
    assert_eq!(xml, xml2);

    // The XML part through the AMI/AGI reader.
    let (ami, agi) =
        amixml::read(&rel.join("core-en_US.xml")).unwrap_or_else(|e| panic!("amixml: {e}"));
    check_ami_agi(&ami, &agi);

    // The whole folder through read_release (ARI included).
    let m = read_release(&rel, "99.0.0").unwrap_or_else(|e| panic!("read_release: {e}"));
    check_ami_agi(&m.ami, &m.agi);
    assert_eq!(m.ari.api_version, "11.0.0");
    assert_eq!(m.ari.resources.len(), 1);
    assert_eq!(m.ari.resources[0].name, "sounds");
    assert_eq!(m.ari.operations.len(), 1);
    let op = &m.ari.operations[0];
    assert_eq!(
        (op.method.as_str(), op.path.as_str(), op.nickname.as_str()),
        ("GET", "/sounds/{soundId}", "get")
    );
    assert_eq!(op.errors, [404]);
    assert_eq!(m.ari.models.len(), 1);
    assert_eq!(m.ari.models[0].name, "Sound");
}

fn check_ami_agi(ami: &asterisk_codegen::manifest::Ami, agi: &asterisk_codegen::manifest::Agi) {
    let names: Vec<_> = ami.actions.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Login", "Status", "TestAction"]);
    let test = &ami.actions[2];
    assert_eq!(test.modules, ["app_test", "app_test2"]);
    let params: Vec<_> = test.params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(params, ["ActionID", "Mode", "Extra"]);
    assert_eq!(test.params[1].default.as_deref(), Some("fast"));
    assert!(test.params[1].multiple);
    assert!(test.params[2].required);
    let login = &ami.actions[0];
    assert_eq!(login.since, ["0.2.0"]);
    assert_eq!(login.params[2].enum_values, ["plain", "MD5"]);
    let status = &ami.actions[1];
    let list = status
        .list
        .as_ref()
        .unwrap_or_else(|| panic!("Status list"));
    assert_eq!(list.items, ["Status"]);
    assert_eq!(list.complete.as_deref(), Some("StatusComplete"));
    assert_eq!(list.source, "xml");

    let events: Vec<_> = ami
        .events
        .iter()
        .map(|e| (e.name.as_str(), e.origin.as_str()))
        .collect();
    assert_eq!(
        events,
        [
            ("ModuleXmlEvent", "top"),
            ("Status", "top"),
            ("StatusComplete", "inline"),
            ("VarSet", "top")
        ]
    );
    let status_ev = &ami.events[1];
    assert_eq!(
        status_ev.snapshots,
        [
            Snapshot {
                kind: "channel".into(),
                prefix: String::new()
            },
            Snapshot {
                kind: "bridge".into(),
                prefix: "Peer".into()
            }
        ]
    );
    assert_eq!(status_ev.classes, ["call"]);
    assert_eq!(status_ev.modules, ["builtin"]);
    let varset = &ami.events[3];
    assert_eq!(varset.modules, ["app_test", "builtin"]);
    let fields: Vec<_> = varset.fields.iter().map(|f| f.name.as_str()).collect();
    // apps/ is walked before main/, so app_test.c's definition comes first.
    assert_eq!(fields, ["Type", "Variable", "Value"]);
    assert_eq!(varset.snapshots.len(), 1, "only parameters are included");
    assert_eq!(ami.events[0].modules, ["res_x"]);

    let cmds: Vec<_> = agi.commands.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(cmds, ["answer", "stream file"]);
    let sf = &agi.commands[1];
    let p: Vec<_> = sf.params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(p, ["filename", "escape_digits", "sample offset"]);
    assert_eq!(sf.since, ["0.4.0"]);
}

#[test]
fn extract_rejects_a_tree_without_ari() {
    let scratch = Scratch::new("extract-noari");
    let src = scratch.0.join("asterisk");
    put(&src, "main/manager.c", MANAGER_C);
    let err = extract(&src, "1.0.0", &scratch.0.join("out"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("resources.json"), "{err}");
}
