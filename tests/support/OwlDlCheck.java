// Loads an ontology (RDF/XML) with the OWL API that HermiT ships, reports its OWL 2 DL profile
// violations, then asks HermiT whether it is consistent and which classes are unsatisfiable.
// Usage: java -cp HermiT.jar OwlDlCheck.java FILE [--ignore-unsupported-datatypes]
// (run as a single source file: Java 11 and later compile it on the fly).
import java.io.File;
import org.semanticweb.HermiT.Configuration;
import org.semanticweb.HermiT.Reasoner;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLClass;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class OwlDlCheck {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        for (OWLProfileViolation v : new OWL2DLProfile().checkOntology(ontology).getViolations()) {
            System.out.println("violation\t" + v.toString().replace('\n', ' '));
        }
        Configuration configuration = new Configuration();
        configuration.ignoreUnsupportedDatatypes =
            args.length > 1 && args[1].equals("--ignore-unsupported-datatypes");
        Reasoner reasoner = new Reasoner(configuration, ontology);
        boolean consistent = reasoner.isConsistent();
        System.out.println("consistent\t" + consistent);
        if (!consistent) {
            return; // every class is unsatisfiable in an inconsistent ontology: nothing to list
        }
        for (OWLClass c : reasoner.getUnsatisfiableClasses().getEntitiesMinusBottom()) {
            System.out.println("unsatisfiable\t" + c.getIRI());
        }
    }
}
